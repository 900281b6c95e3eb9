import { toAuditJson } from '../../audit/audit-json.js';
import { encodeAuditCursor, parseAuditListQuery } from '../../audit/audit-query.js';
import { listAuditRecords } from '../../store/audit-repo.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors } from '../schemas/common.js';
import { auditQuerySchema, parseAuditQuery } from './audit-query-error.js';
import { AuditPageSchema } from './audit-schemas.js';

/**
 * `GET /v1/audit?tokenId=&subject=&type=&result=&since=&until=&limit=&cursor=` (audit:read):
 * `{items, nextCursor}`, newest first. Every filter is served by an index.
 */
export function auditListRoute(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/v1/audit',
    {
      onRequest: ctx.auth.onRequest('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Search audit events (newest first)',
        description:
          '`type` takes an event type or a family (`token.*`); `since` (inclusive) and `until` (exclusive) take ISO 8601 or epoch ms; `limit` 1–1000 (default 100).',
        querystring: auditQuerySchema([
          'tokenId',
          'subject',
          'type',
          'result',
          'since',
          'until',
          'limit',
          'cursor',
        ]),
        response: { 200: AuditPageSchema, ...managementErrors },
      },
    },
    async (request) => {
      const query = parseAuditQuery(() =>
        parseAuditListQuery(request.query as Record<string, unknown>),
      );
      // One extra row tells whether another page exists without a count query.
      const rows = await listAuditRecords(ctx.store.db, query.filter, {
        limit: query.limit + 1,
        cursor: query.cursor,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(toAuditJson),
        nextCursor:
          rows.length > query.limit && last
            ? encodeAuditCursor({ time: last.time, id: last.id })
            : null,
      };
    },
  );
}
