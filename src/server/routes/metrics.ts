import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';

/**
 * `GET /metrics`: Prometheus text exposition. Unauthenticated like most exporters; bind the server
 * to a private interface or put the path behind your gateway if the counts are sensitive.
 */
export function metricsRoute(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/metrics',
    { schema: { tags: ['observability'], summary: 'Prometheus metrics', security: [] } },
    async (_request, reply) => {
      const text = await ctx.metrics.metrics();
      return reply.type(ctx.metrics.contentType).send(text);
    },
  );
}
