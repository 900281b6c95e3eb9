import { toTokenView } from '../../tokens/token-view.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors, ProblemSchema } from '../schemas/common.js';
import { CreateTokenBody, IssuedTokenSchema } from '../schemas/token.js';

/** `POST /v1/tokens` (tokens:write): issues a token; the secret is in this response only. */
export function tokensCreateRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/tokens',
    {
      onRequest: ctx.auth.onRequest('tokens:write'),
      schema: {
        tags: ['tokens'],
        summary: 'Create a token',
        description: 'Returns the secret once in `token`. Only its hash is stored.',
        body: CreateTokenBody,
        response: { 201: IssuedTokenSchema, ...managementErrors, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const issued = await ctx.tokens.create(request.body, {
        tokenId: request.principal?.tokenId ?? null,
        ip: request.ip,
      });
      reply.header('cache-control', 'no-store');
      return reply
        .code(201)
        .send({ ...toTokenView(issued.record, issued.api, ctx.clock.now()), token: issued.secret });
    },
  );
}
