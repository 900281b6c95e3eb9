import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { looksLikeJwt } from '../../oauth/jwt-verify.js';
import { OAuthError } from '../../oauth/oauth-errors.js';
import type { OAuthService } from '../../oauth/oauth-service.js';
import { findTokenById } from '../../store/tokens-repo.js';
import type { AppContext } from '../context.js';
import { authenticateOAuthCaller } from './oauth-caller.js';
import { oauthForm, oauthFormRoute } from './oauth-scope.js';

const INACTIVE = { active: false } as const;
const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * `POST /oauth/introspect` (RFC 7662). The caller is a management token with `tokens:verify`
 * (Bearer, or Basic with client_id = its id). Active tokens get the RFC members; every inactive
 * case — unknown, expired, revoked, malformed, IP not allowed — is exactly `{"active":false}`.
 * Extension parameter `ip`: the end client's address, checked against the token's allowlist.
 */
export function oauthIntrospectRoute(
  scope: FastifyInstance,
  ctx: AppContext,
  oauth: OAuthService,
): void {
  scope.post(
    '/oauth/introspect',
    oauthFormRoute('Token introspection (RFC 7662)', {
      token: Type.String({ description: 'the token to introspect' }),
      token_type_hint: Type.Optional(Type.String()),
      ip: Type.Optional(
        Type.String({ description: 'client IP, checked against the token allowlist' }),
      ),
    }),
    async (request, reply) => {
      const form = oauthForm(request);
      const caller = await authenticateOAuthCaller(ctx, request, form);
      if (!caller.hasManagementScope('tokens:verify')) {
        throw new OAuthError(
          'invalid_client',
          'introspection needs a gatehouse token with the tokens:verify scope',
          'Bearer realm="gatehouse", error="insufficient_scope", scope="tokens:verify"',
        );
      }
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const token = form.get('token');
      if (!token) throw new OAuthError('invalid_request', 'token is required');
      const ipParam = form.get('ip');
      const ip = ipParam && isIP(ipParam) ? ipParam : undefined;
      if (looksLikeJwt(token)) {
        const check = await oauth.verifyJwt(token, { ip });
        if (!check.valid) return INACTIVE;
        const { claims, apiName } = check.identity;
        return {
          active: true,
          scope: claims.scope,
          client_id: claims.client_id,
          sub: claims.sub,
          aud: apiName,
          iss: claims.iss,
          exp: claims.exp,
          iat: claims.iat,
          token_type: 'Bearer',
          jti: claims.jti,
        };
      }
      const result = await ctx.verifier.verify(token, { ip, actor: caller.identity.tokenId });
      if (!result.valid) return INACTIVE;
      const record = await findTokenById(ctx.store.db, result.tokenId);
      if (!record) return INACTIVE;
      return {
        active: true,
        scope: result.scopes.join(' '),
        client_id: record.id,
        sub: record.subject ?? record.id,
        aud: result.api,
        iss: oauth.issuer(),
        ...(record.expiresAt === null ? {} : { exp: seconds(record.expiresAt) }),
        iat: seconds(record.createdAt),
        token_type: 'Bearer',
        jti: record.id,
      };
    },
  );
}
