import type { FastifyInstance } from 'fastify';
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
 * Registers every OAuth route. The OAuth service itself (keys, JWT verification in the shared
 * verifier) is composed at start-up in `runtime.ts`.
 * @example await oauthRoutes(app, ctx);
 */
export async function oauthRoutes(app: GatehouseApp, ctx: AppContext): Promise<void> {
  const { oauth } = ctx;
  wellKnownAuthorizationServerRoute(app, oauth);
  wellKnownJwksRoute(app, oauth);
  keysRotateRoute(app, ctx, oauth);
  await app.register(async (scope: FastifyInstance) => {
    useOAuthConventions(scope);
    oauthTokenRoute(scope, ctx, oauth);
    oauthIntrospectRoute(scope, ctx, oauth);
    oauthRevokeRoute(scope, ctx, oauth);
  });
}
