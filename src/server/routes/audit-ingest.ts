import { Type } from '@sinclair/typebox';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors } from '../schemas/common.js';

const Short = (max: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

const ReportedEvent = Type.Object(
  {
    type: Type.Union([
      Type.Literal('token.verified'),
      Type.Literal('token.rejected'),
      Type.Literal('request.proxied'),
      Type.Literal('request.denied'),
    ]),
    time: Type.Optional(Type.String({ format: 'date-time' })),
    tokenId: Short(100),
    subject: Short(200),
    api: Short(64),
    ip: Short(64),
    userAgent: Short(512),
    method: Short(16),
    path: Short(2048),
    status: Type.Optional(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()])),
    result: Short(32),
    latencyMs: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 3_600_000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

/** Reported times may lag (batched, retried) but not run ahead of the server's clock. */
const MAX_FUTURE_MS = 5 * 60_000;

/**
 * `POST /v1/audit/events` (tokens:verify): usage events from remote enforcement points (SDK
 * middleware deciding from its cache, `gatehouse proxy --remote`), so requests verified away from
 * the server are audited too. They join this node's hash chain with the reporter as `actor`.
 */
export function auditIngestRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/audit/events',
    {
      onRequest: ctx.auth.onRequest('tokens:verify'),
      schema: {
        tags: ['audit'],
        summary: 'Report usage events from a remote verifier or proxy',
        body: Type.Object(
          { events: Type.Array(ReportedEvent, { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ accepted: Type.Integer() }), ...managementErrors },
      },
    },
    async (request, reply) => {
      const now = ctx.clock.now();
      const { events } = request.body;
      const times = events.map((event, i) => {
        const time = event.time === undefined ? now : Date.parse(event.time);
        if (time > now + MAX_FUTURE_MS) {
          throw new GatehouseError('validation_failed', `body.events[${i}].time is in the future`, {
            field: `body.events[${i}].time`,
          });
        }
        return time;
      });
      const actor = request.principal?.tokenId ?? null;
      events.forEach((event, i) => {
        ctx.audit.record({ ...event, time: times[i], actor, details: { reportedBy: 'remote' } });
      });
      return reply.code(202).send({ accepted: events.length });
    },
  );
}
