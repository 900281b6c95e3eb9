import { hasManagementScope, type VerifiedToken } from '@gatehouse/core';
import type { FastifyRequest } from 'fastify';
import {
  type CallerCredentials,
  challengeFor,
  readCallerCredentials,
} from '../../oauth/client-credentials.js';
import { OAuthError } from '../../oauth/oauth-errors.js';
import { MANAGEMENT_API } from '../auth.js';
import type { AppContext } from '../context.js';

/** An authenticated caller of an OAuth endpoint. */
export interface OAuthCaller {
  credentials: CallerCredentials;
  identity: VerifiedToken;
  /** Whether it is a `gatehouse` (management) token holding `scope` (or `admin`). */
  hasManagementScope(scope: string): boolean;
}

/**
 * Authenticates the caller of `/oauth/*`: a Bearer token, or a token as OAuth client credentials
 * (client_id = token id, client_secret = the token) via Basic or the form. Failure is always
 * 401 `invalid_client` with a challenge — never an `{active:false}` or a 200.
 * @example const caller = await authenticateOAuthCaller(ctx, request, form);
 */
export async function authenticateOAuthCaller(
  ctx: AppContext,
  request: FastifyRequest,
  form: URLSearchParams,
): Promise<OAuthCaller> {
  const credentials = readCallerCredentials(request.headers.authorization, form);
  if (credentials.method === 'none') {
    throw new OAuthError(
      'invalid_client',
      'authenticate with a Bearer token or HTTP Basic client credentials',
      'Basic realm="gatehouse", charset="UTF-8"',
    );
  }
  const secret = credentials.method === 'bearer' ? credentials.token : credentials.clientSecret;
  const result = await ctx.verifier.verify(secret, { ip: request.ip, audit: false });
  const fail = (): never => {
    throw new OAuthError(
      'invalid_client',
      'client authentication failed',
      challengeFor(credentials),
    );
  };
  if (!result.valid) return fail();
  if (credentials.method !== 'bearer' && credentials.clientId !== result.tokenId) return fail();
  return {
    credentials,
    identity: result,
    hasManagementScope: (scope) =>
      result.api === MANAGEMENT_API && hasManagementScope(result.scopes, scope),
  };
}
