import { AuditQueryError } from '../../audit/audit-query.js';
import { GatehouseError } from '../errors.js';

/**
 * Runs an audit query parser and turns its {@link AuditQueryError} into a 400 problem naming
 * `query.<field>` (`invalid_cursor` for a bad cursor).
 * @example const query = parseAuditQuery(() => parseAuditListQuery(request.query));
 */
export function parseAuditQuery<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof AuditQueryError)) throw error;
    const code = error.field === 'cursor' ? 'invalid_cursor' : 'validation_failed';
    throw new GatehouseError(code, error.message, { field: `query.${error.field}`, cause: error });
  }
}

/** Query parameters are documented as strings; the audit parsers check them and name the field. */
export function auditQuerySchema(names: readonly string[]): {
  type: 'object';
  properties: Record<string, { type: 'string'; maxLength: number }>;
} {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string', maxLength: 512 }])),
  };
}
