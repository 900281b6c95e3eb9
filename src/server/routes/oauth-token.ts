import { SCOPE_REGEX, scopeCovers } from '@gatehouse/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../oauth/oauth-errors.js';
import type { OAuthService } from '../../oauth/oauth-service.js';
import { findTokenById } from '../../store/tokens-repo.js';
import { MANAGEMENT_API } from '../auth.js';
import type { AppContext } from '../context.js';
import { authenticateOAuthCaller } from './oauth-caller.js';
import { oauthForm, oauthFormRoute } from './oauth-scope.js';

/** Requested scopes (space-separated), each one covered by a granted scope; else `invalid_scope`. */
function downScope(requested: string | null, granted: readonly string[]): string[] {
  if (requested === null || requested.trim() === '') return [...granted];
  const wanted = [...new Set(requested.split(' ').filter((s) => s !== ''))];
  for (const scope of wanted) {
    if (!SCOPE_REGEX.test(scope))
      throw new OAuthError('invalid_scope', `"${scope}" is not a valid scope`);
    if (!granted.some((have) => scopeCovers(have, scope))) {
      throw new OAuthError('invalid_scope', `scope "${scope}" is not granted to this client`);
    }
  }
  return wanted;
}

/**
 * `POST /oauth/token` (RFC 6749 §4.4): `grant_type=client_credentials`, the client being a token
 * (client_id = token id, client_secret = the opaque token, via Basic or the form). Returns an
 * RFC 9068 JWT access token for the token's API, optionally down-scoped.
 */
export function oauthTokenRoute(
  scope: FastifyInstance,
  ctx: AppContext,
  oauth: OAuthService,
): void {
  scope.post(
    '/oauth/token',
    oauthFormRoute('Client-credentials grant (RFC 6749 §4.4)', {
      grant_type: Type.Literal('client_credentials'),
      scope: Type.Optional(
        Type.String({ description: 'space-separated subset of the client scopes' }),
      ),
      client_id: Type.Optional(Type.String({ description: 'client_secret_post: the token id' })),
      client_secret: Type.Optional(Type.String({ description: 'client_secret_post: the token' })),
    }),
    async (request, reply) => {
      const form = oauthForm(request);
      const grantType = form.get('grant_type');
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
      if (grantType !== 'client_credentials') {
        throw new OAuthError(
          'unsupported_grant_type',
          'only grant_type=client_credentials is supported',
        );
      }
      const caller = await authenticateOAuthCaller(ctx, request, form);
      if (caller.credentials.method === 'bearer') {
        throw new OAuthError(
          'invalid_client',
          'authenticate the client with client_secret_basic or client_secret_post',
          'Basic realm="gatehouse", charset="UTF-8"',
        );
      }
      if (caller.identity.api === MANAGEMENT_API) {
        throw new OAuthError(
          'unauthorized_client',
          'management tokens cannot be exchanged for access tokens',
        );
      }
      const client = await findTokenById(ctx.store.db, caller.identity.tokenId);
      if (!client) throw new OAuthError('invalid_client', 'client authentication failed');
      const scopes = downScope(form.get('scope'), caller.identity.scopes);
      const issued = await oauth.issueClientCredentials(client, caller.identity.api, scopes);
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({
          access_token: issued.accessToken,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: issued.scopes.join(' '),
        });
    },
  );
}
