import { Type } from '@sinclair/typebox';
import { toTokenView } from '../../tokens/token-view.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { IdParams, managementErrors, ProblemSchema } from '../schemas/common.js';
import { IssuedTokenSchema, TokenViewSchema, UpdateTokenBody } from '../schemas/token.js';

const notFound = { 404: ProblemSchema };

/** `GET`/`PATCH /v1/tokens/{id}`, and `POST …/revoke`, `POST …/rotate`. */
export function tokenItemRoutes(app: GatehouseApp, ctx: AppContext): void {
  const actorOf = (request: { principal?: { tokenId: string }; ip: string }) => ({
    tokenId: request.principal?.tokenId ?? null,
    ip: request.ip,
  });

  app.get(
    '/v1/tokens/:id',
    {
      onRequest: ctx.auth.onRequest('tokens:read'),
      schema: {
        tags: ['tokens'],
        summary: 'Show a token (never its secret)',
        params: IdParams,
        response: { 200: TokenViewSchema, ...managementErrors, ...notFound },
      },
    },
    async (request) => {
      const { record, api } = await ctx.tokens.get(request.params.id);
      return toTokenView(record, api, ctx.clock.now());
    },
  );

  app.patch(
    '/v1/tokens/:id',
    {
      onRequest: ctx.auth.onRequest('tokens:write'),
      schema: {
        tags: ['tokens'],
        summary: 'Update name, scopes, metadata, IP allowlist or rate limit',
        description: 'Takes effect on every verifier as fast as a revocation.',
        params: IdParams,
        body: UpdateTokenBody,
        response: { 200: TokenViewSchema, ...managementErrors, ...notFound },
      },
    },
    async (request) => {
      const { record, api } = await ctx.tokens.update(
        request.params.id,
        request.body,
        actorOf(request),
      );
      return toTokenView(record, api, ctx.clock.now());
    },
  );

  app.post(
    '/v1/tokens/:id/revoke',
    {
      onRequest: ctx.auth.onRequest('tokens:write'),
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token (idempotent)',
        description:
          'With `wait: true`, returns once every live verifier has applied the revocation (or after `waitMs`), with a receipt.',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            {
              reason: Type.Optional(Type.String({ maxLength: 500 })),
              wait: Type.Optional(Type.Boolean()),
              waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Composite([
            TokenViewSchema,
            Type.Object({
              receipt: Type.Optional(
                Type.Object({
                  verifiers: Type.Integer(),
                  confirmed: Type.Integer(),
                  maxLagMs: Type.Union([Type.Number(), Type.Null()]),
                  pending: Type.Optional(Type.Array(Type.String())),
                }),
              ),
            }),
          ]),
          ...managementErrors,
          ...notFound,
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const { record, api, seq } = await ctx.tokens.revoke(
        request.params.id,
        body.reason ?? null,
        actorOf(request),
      );
      const view = toTokenView(record, api, ctx.clock.now());
      if (!body.wait) return view;
      const receipt = await ctx.verifier.awaitApplied?.(seq, body.waitMs ?? 2000);
      return receipt ? { ...view, receipt } : view;
    },
  );

  app.post(
    '/v1/tokens/:id/rotate',
    {
      onRequest: ctx.auth.onRequest('tokens:write'),
      schema: {
        tags: ['tokens'],
        summary: 'Rotate: issue a successor, expire the old token after the overlap',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 201: IssuedTokenSchema, ...managementErrors, ...notFound, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const issued = await ctx.tokens.rotate(
        request.params.id,
        request.body?.overlapSeconds ?? 0,
        actorOf(request),
      );
      reply.header('cache-control', 'no-store');
      return reply
        .code(201)
        .send({ ...toTokenView(issued.record, issued.api, ctx.clock.now()), token: issued.secret });
    },
  );

  app.post(
    '/v1/subjects/:subject/revoke',
    {
      onRequest: ctx.auth.onRequest('tokens:write'),
      schema: {
        tags: ['tokens'],
        summary: 'Revoke every active token of a subject',
        params: Type.Object(
          { subject: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        body: Type.Optional(
          Type.Object(
            { reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...managementErrors },
      },
    },
    async (request) => {
      const { revoked } = await ctx.tokens.revokeSubject(
        request.params.subject,
        request.body?.reason ?? null,
        actorOf(request),
      );
      return { revoked };
    },
  );
}
