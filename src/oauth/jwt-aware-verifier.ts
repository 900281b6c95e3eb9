import type { VerifyResult } from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ServiceVerifyOptions, VerifyService } from '../verify/verify-service.js';
import { looksLikeJwt } from './jwt-verify.js';
import type { OAuthService } from './oauth-service.js';

/**
 * A verifier that accepts Gatehouse JWTs as well as opaque tokens: JWT-shaped input is checked
 * against the key ring and the revocation list, everything else goes to the opaque verifier.
 * Every in-process consumer (`/v1/verify`, management auth, forward auth, introspection, proxy)
 * gets both kinds through this one object.
 * @example const verifier = withJwtVerification(opaqueVerifier, oauth, audit);
 */
export function withJwtVerification(
  opaque: VerifyService,
  oauth: OAuthService,
  audit: AuditSink,
): VerifyService {
  return {
    awaitApplied: opaque.awaitApplied?.bind(opaque),
    async verify(token: string, options: ServiceVerifyOptions = {}): Promise<VerifyResult> {
      if (!looksLikeJwt(token)) return opaque.verify(token, options);
      const check = await oauth.verifyJwt(token, options);
      const record = check.valid ? check.identity.record : undefined;
      if (options.audit !== false) {
        audit.record({
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
      if (!check.valid || !record || !check.result.valid) return check.result;
      // The extra fields caching verifiers (the SDK) use, as for opaque tokens.
      return {
        ...check.result,
        version: record.version,
        cacheable: record.rateLimit === null && record.maxUses === null,
        ipAllowlist: record.ipAllowlist,
      };
    },
  };
}
