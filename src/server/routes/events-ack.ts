import { Type } from '@sinclair/typebox';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors, ProblemSchema } from '../schemas/common.js';

/**
 * `POST /v1/events/ack {subscriberId, seq}` (tokens:verify) → 204: the subscriber applied every
 * change up to `seq`. Any node accepts it (subscribers are shared through the store).
 */
export function eventsAckRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/events/ack',
    {
      onRequest: ctx.auth.onRequest('tokens:verify'),
      schema: {
        tags: ['events'],
        summary: 'Acknowledge applied changes',
        description: 'Counts this subscriber as confirmed in revocation receipts up to `seq`.',
        body: Type.Object(
          {
            subscriberId: Type.String({ minLength: 1, maxLength: 100 }),
            seq: Type.Integer({ minimum: 0 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...managementErrors, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const feed = ctx.feed;
      if (!feed) throw new GatehouseError('unavailable', 'the change feed is not running');
      const { subscriberId, seq } = request.body;
      if (!(await feed.registry.ack(subscriberId, seq)))
        throw new GatehouseError('not_found', `subscriber ${subscriberId} is not connected`, {
          field: 'body.subscriberId',
        });
      return reply.code(204).send(null);
    },
  );
}
