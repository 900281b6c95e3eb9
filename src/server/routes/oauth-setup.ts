import type { VerifyResult } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { looksLikeJwt } from '../../oauth/jwt-verify.js';
import { loadMasterKey } from '../../oauth/master-key.js';
import { OAuthService } from '../../oauth/oauth-service.js';
import type { ServiceVerifyOptions } from '../../verify/verify-service.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { keysRotateRoute } from './keys-rotate.js';
import { oauthIntrospectRoute } from './oauth-introspect.js';
import { oauthRevokeRoute } from './oauth-revoke.js';
import { useOAuthConventions } from './oauth-scope.js';
import { oauthTokenRoute } from './oauth-token.js';
import { wellKnownJwksRoute } from './well-known-jwks.js';
import { wellKnownAuthorizationServerRoute } from './well-known-oauth-authorization-server.js';

/**
 * Builds the OAuth service (master key, key ring with a signing key ready), plugs JWT signing into
 * the token service and JWT verification into the verifier, and registers every OAuth route.
 * @example await oauthRoutes(app, ctx);
 */
export async function oauthRoutes(app: GatehouseApp, ctx: AppContext): Promise<OAuthService> {
  const masterKey = loadMasterKey({ env: process.env, dataDir: ctx.config.dataDir });
  if (masterKey.source === 'created') {
    ctx.logger.warn(
      { path: masterKey.path },
      'created a master key file for signing keys; back it up, or set GATEHOUSE_MASTER_KEY (required when several nodes share a store)',
    );
  }
  const oauth = new OAuthService({
    store: ctx.store,
    clock: ctx.clock,
    random: ctx.random,
    masterKey,
    issuer: () => ctx.baseUrl(),
  });
  await oauth.keys.ensureSigningKey();
  ctx.tokens.setJwtIssuer(oauth.jwtIssuer);
  // A rotation on another node reaches this one through the feed; the key cache TTL is the backstop.
  ctx.feed?.onChange((change) => {
    if (change.type === 'key.rotated') oauth.keys.invalidate();
  });
  verifyJwtsToo(ctx, oauth);

  wellKnownAuthorizationServerRoute(app, oauth);
  wellKnownJwksRoute(app, oauth);
  keysRotateRoute(app, ctx, oauth);
  await app.register(async (scope: FastifyInstance) => {
    useOAuthConventions(scope);
    oauthTokenRoute(scope, ctx, oauth);
    oauthIntrospectRoute(scope, ctx, oauth);
    oauthRevokeRoute(scope, ctx, oauth);
  });
  return oauth;
}

/**
 * Every in-process verification (`/v1/verify`, management auth, forward auth, introspection)
 * accepts Gatehouse JWTs: JWT-shaped input goes to the OAuth service, the rest as before.
 */
function verifyJwtsToo(ctx: AppContext, oauth: OAuthService): void {
  const verifier = ctx.verifier;
  const opaque = verifier.verify.bind(verifier);
  verifier.verify = async (
    token: string,
    options: ServiceVerifyOptions = {},
  ): Promise<VerifyResult> => {
    if (!looksLikeJwt(token)) return opaque(token, options);
    const check = await oauth.verifyJwt(token, options);
    const record = check.valid ? check.identity.record : undefined;
    if (options.audit !== false) {
      ctx.audit.record({
        type: check.valid ? 'token.verified' : 'token.rejected',
        tokenId: record?.id ?? null,
        subject: record?.subject ?? null,
        api: check.valid ? check.identity.apiName : null,
        actor: options.actor ?? null,
        ip: options.ip ?? null,
        result: check.result.valid ? 'VALID' : check.result.code,
        details: { jti: (check.valid ? check.identity.claims : check.claims)?.jti ?? null },
      });
    }
    if (!check.valid || !record) return check.result;
    // The extra fields caching verifiers (the SDK) use, as for opaque tokens.
    return {
      ...check.result,
      version: record.version,
      cacheable: record.rateLimit === null && record.maxUses === null,
      ipAllowlist: record.ipAllowlist,
    } as VerifyResult;
  };
}
