import { Type } from '@sinclair/typebox';
import { verifyChain } from '../../audit/verify-chain.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors } from '../schemas/common.js';

const BadEventSchema = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  nodeId: Type.String(),
  seq: Type.Integer(),
  time: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
});

/**
 * `POST /v1/audit/verify` (audit:read): recomputes every node's hash chain (or one node's, with
 * `{ "nodeId": "…" }`) → `{ok: true, checked}` or `{ok: false, checked, firstBadEvent}`.
 * The body is optional, so it is checked here rather than by a schema (which would also run
 * before authentication and answer 400 to a caller that should get 401/403).
 */
export function auditVerifyRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/audit/verify',
    {
      preHandler: ctx.auth.preHandler('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Verify the audit hash chains (tamper evidence)',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            firstBadEvent: Type.Optional(BadEventSchema),
          }),
          ...managementErrors,
        },
      },
    },
    async (request) => {
      const verdict = await verifyChain(ctx.store.db, { nodeId: readNodeId(request.body) });
      if (verdict.ok) return verdict;
      const bad = verdict.firstBadEvent;
      return {
        ok: false,
        checked: verdict.checked,
        firstBadEvent: {
          ...bad,
          time: bad.time === null ? null : new Date(bad.time).toISOString(),
        },
      };
    },
  );
}

function readNodeId(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('validation_failed', 'body must be a JSON object', { field: 'body' });
  }
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'nodeId') {
      throw new GatehouseError('validation_failed', `body.${key} is not a known field`, {
        field: `body.${key}`,
      });
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
      throw new GatehouseError('validation_failed', 'body.nodeId must be a node id', {
        field: 'body.nodeId',
      });
    }
    return value;
  }
  return undefined;
}
