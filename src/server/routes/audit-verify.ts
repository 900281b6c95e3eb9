import { Type } from '@sinclair/typebox';
import { verifyChain } from '../../audit/verify-chain.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
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
 */
export function auditVerifyRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/audit/verify',
    {
      onRequest: ctx.auth.onRequest('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Verify the audit hash chains (tamper evidence)',
        body: Type.Optional(
          Type.Object(
            { nodeId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
            { additionalProperties: false },
          ),
        ),
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
      const verdict = await verifyChain(ctx.store.db, { nodeId: request.body?.nodeId });
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
