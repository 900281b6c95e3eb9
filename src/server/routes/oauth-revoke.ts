import { hashToken, parseToken, type TokenRecord } from '@gatehouse/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { looksLikeJwt } from '../../oauth/jwt-verify.js';
import { OAuthError } from '../../oauth/oauth-errors.js';
import type { OAuthService } from '../../oauth/oauth-service.js';
import { findTokenByHash, findTokenById } from '../../store/tokens-repo.js';
import type { AppContext } from '../context.js';
import { authenticateOAuthCaller, type OAuthCaller } from './oauth-caller.js';
import { oauthForm, oauthFormRoute } from './oauth-scope.js';

/** What the presented token turned out to be. */
type Target =
  | { kind: 'none' }
  | { kind: 'record'; record: TokenRecord }
  | {
      kind: 'recordless-jwt';
      jti: string;
      clientId: string;
      exp: number;
      client: TokenRecord | undefined;
    };

async function findTarget(ctx: AppContext, oauth: OAuthService, token: string): Promise<Target> {
  if (looksLikeJwt(token)) {
    const check = await oauth.checkSignature(token);
    // Forged, malformed or already expired: nothing to revoke.
    if (!check.ok) return { kind: 'none' };
    const { jti, client_id: clientId, exp } = check.claims;
    const own = await findTokenById(ctx.store.db, jti);
    if (own) return own.kind === 'jwt' ? { kind: 'record', record: own } : { kind: 'none' };
    return {
      kind: 'recordless-jwt',
      jti,
      clientId,
      exp,
      client: await findTokenById(ctx.store.db, clientId),
    };
  }
  if (!parseToken(token).ok) return { kind: 'none' };
  const record = await findTokenByHash(ctx.store.db, hashToken(token));
  return record ? { kind: 'record', record } : { kind: 'none' };
}

/** A token may revoke itself and what was minted from it; `tokens:write` may revoke anything. */
function mayRevoke(caller: OAuthCaller, target: Target): boolean {
  if (caller.hasManagementScope('tokens:write')) return true;
  const self = caller.identity.tokenId;
  if (target.kind === 'record') return target.record.id === self;
  if (target.kind === 'recordless-jwt') return target.clientId === self;
  return true;
}

/**
 * `POST /oauth/revoke` (RFC 7009). 200 with an empty body for live, unknown and already revoked
 * tokens. Callers: the token itself (Bearer or client credentials), the client a JWT was minted
 * for, or a management token with `tokens:write`. Anyone else gets 400 `unauthorized_client` and
 * nothing changes.
 */
export function oauthRevokeRoute(
  scope: FastifyInstance,
  ctx: AppContext,
  oauth: OAuthService,
): void {
  scope.post(
    '/oauth/revoke',
    oauthFormRoute('Token revocation (RFC 7009)', {
      token: Type.String({ description: 'the token to revoke' }),
      token_type_hint: Type.Optional(Type.String()),
    }),
    async (request, reply) => {
      const form = oauthForm(request);
      const token = form.get('token');
      // The presented token may authenticate itself: revoking a token needs no other credential.
      const caller = await authenticateOAuthCaller(ctx, request, form);
      if (!token) throw new OAuthError('invalid_request', 'token is required');
      const target = await findTarget(ctx, oauth, token);
      if (!mayRevoke(caller, target)) {
        throw new OAuthError(
          'unauthorized_client',
          'this caller may only revoke its own tokens; revoking others needs tokens:write',
        );
      }
      const actor = { tokenId: caller.identity.tokenId, ip: request.ip };
      if (target.kind === 'record' && target.record.revokedAt === null) {
        await ctx.tokens.revoke(target.record.id, 'revoked via /oauth/revoke', actor);
      }
      if (target.kind === 'recordless-jwt') {
        await oauth.revokeRecordlessJwt(
          {
            jti: target.jti,
            clientId: target.clientId,
            apiId: target.client?.apiId ?? null,
            exp: target.exp,
          },
          (tx) =>
            ctx.audit.recordInTransaction(tx, {
              type: 'token.revoked',
              tokenId: target.clientId,
              subject: target.client?.subject ?? null,
              actor: actor.tokenId,
              ip: actor.ip,
              details: { jti: target.jti, reason: 'access token revoked via /oauth/revoke' },
            }),
        );
      }
      return reply.header('cache-control', 'no-store').code(200).send();
    },
  );
}
