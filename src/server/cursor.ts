import { GatehouseError } from './errors.js';

/** Keyset position for newest-first lists. */
export interface Position {
  createdAt: number;
  id: string;
}

/** Encodes a position as an opaque, URL-safe cursor. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}; anything else is a 400 naming `query.cursor`. */
export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new GatehouseError('invalid_cursor', 'query.cursor is not a cursor this API returned', {
    field: 'query.cursor',
  });
}
