import { Type } from '@sinclair/typebox';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors, Scopes } from '../schemas/common.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

// One flat object schema (not a oneOf) so fast-json-stringify compiles a straight-line serializer.
const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  code: Type.Optional(Type.String()),
  tokenId: Type.Optional(Type.String()),
  api: Type.Optional(Type.String()),
  subject: Type.Optional(Nullable(Type.String())),
  scopes: Type.Optional(Type.Array(Type.String())),
  expiresAt: Type.Optional(Nullable(Type.String())),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  rateLimit: Type.Optional(
    Type.Object({ limit: Type.Integer(), remaining: Type.Integer(), resetAt: Type.String() }),
  ),
  missingScopes: Type.Optional(Type.Array(Type.String())),
  retryAfterSeconds: Type.Optional(Type.Number()),
  version: Type.Optional(Type.Integer()),
  cacheable: Type.Optional(Type.Boolean()),
  ipAllowlist: Type.Optional(Nullable(Type.Array(Type.String()))),
});

/** `POST /v1/verify` (tokens:verify): 200 with `{valid:true,…}` or `{valid:false, code}`. */
export function verifyRoute(app: GatehouseApp, ctx: AppContext): void {
  app.post(
    '/v1/verify',
    {
      onRequest: ctx.auth.onRequest('tokens:verify'),
      schema: {
        tags: ['verify'],
        summary: 'Verify a token',
        description:
          'A denial is a 200 with `valid: false` and a code: MALFORMED, NOT_FOUND, EXPIRED, REVOKED, INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, RATE_LIMITED, USAGE_EXCEEDED.',
        body: Type.Object(
          {
            token: Type.String({ maxLength: 8192 }),
            scopes: Type.Optional(Scopes),
            ip: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: VerifyResponse, ...managementErrors },
      },
    },
    async (request) => {
      const { token, scopes, ip } = request.body;
      return ctx.verifier.verify(token, { scopes, ip, actor: request.principal?.tokenId ?? null });
    },
  );
}
