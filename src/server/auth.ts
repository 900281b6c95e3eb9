import { hasManagementScope, parseAuthorization } from '@gatehouse/core';
import type { FastifyRequest } from 'fastify';
import type { VerifyService } from '../verify/verify-service.js';
import { GatehouseError } from './errors.js';

/** The built-in API whose tokens authenticate management calls. */
export const MANAGEMENT_API = 'gatehouse';

/** Who made a management call. */
export interface Principal {
  tokenId: string;
  subject: string | null;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface ManagementAuth {
  /** Authenticates the request's bearer token and requires `scope` (or `admin`); throws 401/403. */
  require(request: FastifyRequest, scope: string): Promise<Principal>;
  /**
   * Fastify `onRequest` hook form of {@link ManagementAuth.require}. It runs before the body is
   * parsed or validated: an unauthenticated caller gets 401, never a hint about the schema.
   */
  onRequest(scope: string): (request: FastifyRequest) => Promise<void>;
}

/**
 * Management authentication: a `gatehouse` API token carrying the needed scope or `admin`.
 * Goes through the same cached verifier as every other verification.
 * @example app.get('/v1/apis', { onRequest: ctx.auth.onRequest('tokens:read') }, handler)
 */
export function createManagementAuth(verifier: VerifyService): ManagementAuth {
  async function require(request: FastifyRequest, scope: string): Promise<Principal> {
    const credential = parseAuthorization(request.headers.authorization);
    if (credential.kind === 'none')
      throw new GatehouseError(
        'unauthorized',
        'send a management token as "Authorization: Bearer <token>"',
      );
    if (credential.kind === 'malformed')
      throw new GatehouseError('unauthorized', 'the Authorization header is malformed', {
        field: 'authorization',
      });
    const result = await verifier.verify(credential.token, {
      api: MANAGEMENT_API,
      ip: request.ip,
      audit: false,
    });
    if (!result.valid)
      throw new GatehouseError(
        'unauthorized',
        'the management token is invalid, expired or revoked',
      );
    if (!hasManagementScope(result.scopes, scope)) {
      throw new GatehouseError('forbidden', `this call needs the "${scope}" scope (or "admin")`, {
        extra: { requiredScope: scope },
      });
    }
    const principal: Principal = {
      tokenId: result.tokenId,
      subject: result.subject,
      scopes: result.scopes,
    };
    request.principal = principal;
    return principal;
  }
  return {
    require,
    onRequest: (scope) => async (request) => {
      await require(request, scope);
    },
  };
}
