import { Type } from '@sinclair/typebox';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';

/** `GET /healthz` (process is up) and `GET /readyz` (store reachable). */
export function healthRoutes(app: GatehouseApp, ctx: AppContext): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({
      status: 'ok' as const,
    }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), store: Type.String() }),
          503: Type.Object({
            status: Type.Literal('unavailable'),
            store: Type.String(),
            detail: Type.String(),
          }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await ctx.store.ping();
        return { status: 'ready' as const, store: ctx.store.dialect };
      } catch (error) {
        return reply.code(503).send({
          status: 'unavailable' as const,
          store: ctx.store.dialect,
          detail: (error as Error).message,
        });
      }
    },
  );
}
