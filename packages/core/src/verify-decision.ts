import { compileAllowlist } from './ip-allowlist.js';
import { missingScopes } from './scopes.js';
import type { TokenRecord } from './types.js';
import type { RejectedToken, VerifyCode } from './verify-codes.js';

export interface StaticCheckInput {
  token: Pick<
    TokenRecord,
    'revokedAt' | 'expiresAt' | 'scopes' | 'ipAllowlist' | 'maxUses' | 'uses'
  >;
  now: number;
  requiredScopes?: readonly string[];
  ip?: string | undefined;
}

/**
 * The stateless part of verification, in contract order: revoked, expired, IP, scopes, uses.
 * Rate limiting is stateful and decided by the caller after this passes.
 * Returns `null` when the token passes every static check.
 * @example const denial = staticCheck({ token, now: clock.now(), requiredScopes: ['orders:read'] });
 */
export function staticCheck(input: StaticCheckInput): RejectedToken | null {
  const { token, now } = input;
  if (token.revokedAt !== null && token.revokedAt <= now) return reject('REVOKED');
  if (token.expiresAt !== null && token.expiresAt <= now) return reject('EXPIRED');
  if (token.ipAllowlist && token.ipAllowlist.length > 0) {
    const allowlist = compiledAllowlist(token.ipAllowlist);
    if (!input.ip || !allowlist?.allows(input.ip)) return reject('IP_NOT_ALLOWED');
  }
  if (input.requiredScopes && input.requiredScopes.length > 0) {
    const missing = missingScopes(token.scopes, input.requiredScopes);
    if (missing.length > 0)
      return { valid: false, code: 'INSUFFICIENT_SCOPE', missingScopes: missing };
  }
  if (token.maxUses !== null && token.uses >= token.maxUses) return reject('USAGE_EXCEEDED');
  return null;
}

// Records are immutable once cached, so the compiled matcher can be keyed by array identity.
const compiled = new WeakMap<readonly string[], ReturnType<typeof compileAllowlist>>();
function compiledAllowlist(cidrs: readonly string[]): ReturnType<typeof compileAllowlist> {
  let matcher = compiled.get(cidrs);
  if (matcher === undefined) {
    matcher = compileAllowlist(cidrs);
    compiled.set(cidrs, matcher);
  }
  return matcher;
}

function reject(code: VerifyCode): RejectedToken {
  return { valid: false, code };
}
