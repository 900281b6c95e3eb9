import type { FastifyReply } from 'fastify';
import type { OAuthService } from '../../oauth/oauth-service.js';
import type { GatehouseApp } from '../app.js';

const WELL_KNOWN = '/.well-known/oauth-authorization-server';

/**
 * The RFC 8414 metadata document for an issuer. Endpoints hang off the issuer URL, so behind a
 * proxy set `--issuer` to the public URL.
 * @example authorizationServerMetadata('https://auth.example.com').token_endpoint // 'https://auth.example.com/oauth/token'
 */
export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    service_documentation: `${issuer}/docs`,
    access_token_signing_alg_values_supported: ['EdDSA', 'ES256'],
  };
}

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414). Served where RFC 8414 §3.1 puts it
 * for the issuer: at the root for an issuer without a path, at
 * `/.well-known/oauth-authorization-server/<path>` for `https://host/<path>`; the `issuer` member
 * equals the URL the metadata was fetched for (§3.3), anything else is 404.
 */
export function wellKnownAuthorizationServerRoute(app: GatehouseApp, oauth: OAuthService): void {
  const serve = (suffix: string, reply: FastifyReply): FastifyReply | Record<string, unknown> => {
    const issuer = oauth.issuer();
    const path = new URL(issuer).pathname.replace(/\/+$/, '');
    if (path !== suffix) {
      return reply
        .code(404)
        .type('application/problem+json')
        .send({
          type: 'https://gatehouse.dev/problems/not-found',
          title: 'Not found',
          status: 404,
          detail: `the metadata of issuer ${issuer} is served at ${WELL_KNOWN}${path}`,
          code: 'not_found',
        });
    }
    void reply.header('cache-control', 'public, max-age=300');
    return authorizationServerMetadata(issuer);
  };
  const schema = {
    tags: ['oauth'],
    summary: 'Authorization server metadata (RFC 8414)',
    security: [],
  };
  app.get(WELL_KNOWN, { schema }, (_request, reply) => serve('', reply));
  app.get<{ Params: { '*': string } }>(`${WELL_KNOWN}/*`, { schema }, (request, reply) =>
    serve(`/${request.params['*']}`.replace(/\/+$/, ''), reply),
  );
}
