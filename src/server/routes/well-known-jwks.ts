import type { OAuthService } from '../../oauth/oauth-service.js';
import type { GatehouseApp } from '../app.js';

/**
 * `GET /.well-known/jwks.json`: the public signing keys (public members, `kid`, `alg`,
 * `use: sig`), newest first. Cached briefly by clients; on an unknown `kid` they refetch.
 */
export function wellKnownJwksRoute(app: GatehouseApp, oauth: OAuthService): void {
  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['oauth'], summary: 'JSON Web Key Set', security: [] } },
    async (_request, reply) => {
      const jwks = await oauth.keys.jwks();
      return reply
        .header('cache-control', 'public, max-age=60')
        .type('application/jwk-set+json')
        .send(jwks);
    },
  );
}
