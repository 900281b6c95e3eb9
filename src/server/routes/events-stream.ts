import { randomBase62 } from '@gatehouse/core';
import { Type } from '@sinclair/typebox';
import { SseSubscription } from '../../verify/sse-subscription.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { GatehouseError } from '../errors.js';
import { managementErrors } from '../schemas/common.js';

/**
 * `GET /v1/events/stream` (tokens:verify): Server-Sent Events. `hello` with the subscriber id,
 * then one `change` event per change (`id:` = seq), `: ping` every 15 s. Resume with
 * `Last-Event-ID` (or `?after=SEQ`); name the subscriber in receipts with `?subscriber=NAME`.
 */
export function eventsStreamRoute(app: GatehouseApp, ctx: AppContext): void {
  const open = new Set<SseSubscription>();
  // Streams never go idle: end them first so a graceful shutdown does not wait on them.
  app.addHook('preClose', (done) => {
    for (const subscription of open) subscription.end();
    done();
  });
  app.get(
    '/v1/events/stream',
    {
      onRequest: ctx.auth.onRequest('tokens:verify'),
      schema: {
        tags: ['events'],
        summary: 'Subscribe to the change feed (SSE)',
        description:
          'Remote verifiers drop cached entries on each change and acknowledge with `POST /v1/events/ack`.',
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            subscriber: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:@/-]+$' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { ...managementErrors },
      },
    },
    async (request, reply) => {
      const feed = ctx.feed;
      if (!feed) throw new GatehouseError('unavailable', 'the change feed is not running');
      const header = request.headers['last-event-id'];
      let after = request.query.after;
      if (header !== undefined) {
        if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim()))
          throw new GatehouseError('invalid_request', 'Last-Event-ID must be a change seq', {
            field: 'headers.last-event-id',
          });
        after = Number(header.trim());
      }
      const subscriberId = `sub_${randomBase62(ctx.random, 22)}`;
      const start = after ?? feed.tailer.appliedSeq;
      await feed.registry.register(
        subscriberId,
        'sse',
        request.query.subscriber ?? subscriberId,
        start,
      );
      reply.hijack();
      const subscription = new SseSubscription({
        feed,
        store: ctx.store,
        res: reply.raw,
        subscriberId,
        after: start,
      });
      open.add(subscription);
      subscription.start(() => {
        open.delete(subscription);
        void feed.registry.unregister(subscriberId).catch(() => {});
      });
    },
  );
}
