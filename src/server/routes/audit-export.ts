import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { exportAudit } from '../../audit/audit-export.js';
import { toAuditExportJson } from '../../audit/audit-json.js';
import { parseAuditRange } from '../../audit/audit-query.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors } from '../schemas/common.js';
import { auditQuerySchema, parseAuditQuery } from './audit-query-error.js';

/**
 * `GET /v1/audit/export?since=&until=` (audit:read): every event in the range as NDJSON, oldest
 * first, with its chain fields (`seq`, `prevHash`, `hash`). Streamed page by page.
 */
export function auditExportRoute(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/v1/audit/export',
    {
      onRequest: ctx.auth.onRequest('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Export audit events as NDJSON (oldest first)',
        querystring: auditQuerySchema(['since', 'until']),
        response: {
          200: Type.Unknown({ description: 'NDJSON: one event per line with seq, prevHash, hash' }),
          ...managementErrors,
        },
      },
    },
    async (request, reply) => {
      const filter = parseAuditQuery(() =>
        parseAuditRange(request.query as Record<string, unknown>),
      );
      async function* lines(): AsyncGenerator<string> {
        for await (const record of exportAudit(ctx.store.db, filter)) {
          yield `${JSON.stringify(toAuditExportJson(record))}\n`;
        }
      }
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(Readable.from(lines()));
    },
  );
}
