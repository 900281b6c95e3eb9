import { Type } from '@sinclair/typebox';
import type { OAuthService } from '../../oauth/oauth-service.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { managementErrors } from '../schemas/common.js';

/**
 * `POST /v1/keys/rotate` (admin) `{alg?: "EdDSA" | "ES256"}`: publishes a new signing key and
 * signs with it from now on; older keys stay in the JWKS until the last token they signed expires.
 */
export function keysRotateRoute(app: GatehouseApp, ctx: AppContext, oauth: OAuthService): void {
  app.post(
    '/v1/keys/rotate',
    {
      onRequest: ctx.auth.onRequest('admin'),
      schema: {
        tags: ['keys'],
        summary: 'Rotate the JWT signing key',
        body: Type.Optional(
          Type.Object(
            { alg: Type.Optional(Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')])) },
            { additionalProperties: false },
          ),
        ),
        response: {
          201: Type.Object({
            kid: Type.String(),
            alg: Type.String(),
            retired: Type.Array(Type.String()),
          }),
          ...managementErrors,
        },
      },
    },
    async (request, reply) => {
      const actor = request.principal?.tokenId ?? null;
      const rotated = await oauth.keys.rotate({
        ...(request.body?.alg ? { algorithm: request.body.alg } : {}),
        inTransaction: (tx, info) =>
          ctx.audit.recordInTransaction(tx, {
            type: 'key.rotated',
            actor,
            ip: request.ip,
            details: { kid: info.kid, alg: info.alg, retired: info.retired },
          }),
      });
      return reply.code(201).send(rotated);
    },
  );
}
