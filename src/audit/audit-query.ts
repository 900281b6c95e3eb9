import { isId } from '@gatehouse/core';
import type { AuditCursor, AuditFilter, AuditRecord } from '../store/audit-repo.js';
import { AUDIT_EVENT_TYPES } from './audit-sink.js';

/** A query parameter that cannot be used; routes turn it into a 400 naming `field`. */
export class AuditQueryError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'AuditQueryError';
  }
}

export interface AuditListQuery {
  filter: AuditFilter;
  limit: number;
  cursor: AuditCursor | undefined;
}

const LIST_PARAMS = ['tokenId', 'subject', 'type', 'result', 'since', 'until', 'limit', 'cursor'];
const TYPES = new Set<string>(AUDIT_EVENT_TYPES);
const FAMILIES = new Set(AUDIT_EVENT_TYPES.map((type) => type.split('.')[0]));

/**
 * Parses `GET /v1/audit` query parameters. Unknown parameters are refused (a typo must not
 * silently widen an audit search).
 * @example parseAuditListQuery({ type: 'token.*', limit: '50' })
 * @throws AuditQueryError naming the offending parameter
 */
export function parseAuditListQuery(query: Record<string, unknown>): AuditListQuery {
  rejectUnknown(query, LIST_PARAMS);
  const limitText = single(query, 'limit');
  let limit = 100;
  if (limitText !== undefined) {
    if (!/^\d{1,5}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
      throw new AuditQueryError('limit', 'limit must be an integer from 1 to 1000');
    }
    limit = Number(limitText);
  }
  const cursorText = single(query, 'cursor');
  return {
    filter: parseFilter(query),
    limit,
    cursor: cursorText === undefined ? undefined : decodeAuditCursor(cursorText),
  };
}

/**
 * Parses `since`/`until` (and only those) for the export.
 * @example parseAuditRange({ since: '2026-01-01T00:00:00Z' })
 */
export function parseAuditRange(query: Record<string, unknown>): AuditFilter {
  rejectUnknown(query, ['since', 'until']);
  return parseFilter(query);
}

/**
 * Parses `GET /v1/audit/stream` parameters: the list filters without time range or paging.
 * @example parseAuditStreamQuery({ type: 'token.rejected' })
 */
export function parseAuditStreamQuery(query: Record<string, unknown>): AuditFilter {
  rejectUnknown(query, ['tokenId', 'subject', 'type', 'result']);
  return parseFilter(query);
}

/** Whether a record passes a filter (the stream filters in memory). */
export function matchesAuditFilter(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.tokenId !== undefined && record.tokenId !== filter.tokenId) return false;
  if (filter.subject !== undefined && record.subject !== filter.subject) return false;
  if (filter.result !== undefined && record.result !== filter.result) return false;
  if (filter.type !== undefined) {
    const ok = filter.type.endsWith('.')
      ? record.type.startsWith(filter.type)
      : record.type === filter.type;
    if (!ok) return false;
  }
  if (filter.since !== undefined && record.time < filter.since) return false;
  return filter.until === undefined || record.time < filter.until;
}

function parseFilter(query: Record<string, unknown>): AuditFilter {
  const filter: AuditFilter = {};
  const tokenId = single(query, 'tokenId');
  if (tokenId !== undefined) {
    if (!isId('token', tokenId))
      throw new AuditQueryError('tokenId', 'tokenId must be a token id (tok_…)');
    filter.tokenId = tokenId;
  }
  const subject = single(query, 'subject');
  if (subject !== undefined) {
    if (subject.length === 0 || subject.length > 256) {
      throw new AuditQueryError('subject', 'subject must be 1 to 256 characters');
    }
    filter.subject = subject;
  }
  const type = single(query, 'type');
  if (type !== undefined) {
    const family = type.endsWith('.*') ? type.slice(0, -2) : undefined;
    if (family !== undefined && FAMILIES.has(family)) filter.type = `${family}.`;
    else if (TYPES.has(type)) filter.type = type;
    else
      throw new AuditQueryError(
        'type',
        `type must be one of ${AUDIT_EVENT_TYPES.join(', ')} or a family like token.*`,
      );
  }
  const result = single(query, 'result');
  if (result !== undefined) {
    if (!/^[A-Z][A-Z_]{0,39}$/.test(result)) {
      throw new AuditQueryError('result', 'result must be VALID or a verify code like REVOKED');
    }
    filter.result = result;
  }
  filter.since = parseTime(query, 'since');
  filter.until = parseTime(query, 'until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new AuditQueryError('until', 'until must not be before since');
  }
  return filter;
}

function parseTime(query: Record<string, unknown>, field: string): number | undefined {
  const text = single(query, field);
  if (text === undefined) return undefined;
  // ISO 8601 date or date-time (`2026-01-01`, `2026-01-01T12:00:00Z`), or epoch milliseconds.
  const ms = /^\d{1,15}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new AuditQueryError(
      field,
      `${field} must be an ISO 8601 time (2026-01-01T00:00:00Z) or epoch ms`,
    );
  }
  return ms;
}

function single(query: Record<string, unknown>, field: string): string | undefined {
  const value = query[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AuditQueryError(field, `${field} must be given once`);
  return value;
}

function rejectUnknown(query: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!known.includes(key))
      throw new AuditQueryError(key, `${key} is not a known query parameter`);
  }
}

/**
 * Opaque cursor: base64url of `time.id` of the last item returned.
 * @example encodeAuditCursor({ time: 1767225600000, id: 'evt_…' })
 */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(`${cursor.time}.${cursor.id}`).toString('base64url');
}

/** @throws AuditQueryError (`cursor`) when the text is not a cursor this server issued. */
export function decodeAuditCursor(text: string): AuditCursor {
  const match = /^(\d{1,15})\.(evt_[0-9A-Za-z]{8,40})$/.exec(
    /^[A-Za-z0-9_-]{1,120}$/.test(text) ? Buffer.from(text, 'base64url').toString() : '',
  );
  if (!match?.[1] || !match[2])
    throw new AuditQueryError('cursor', 'cursor is not a valid audit cursor');
  return { time: Number(match[1]), id: match[2] };
}
