import {
  type Challenge,
  type CompiledPolicy,
  challengeFor,
  parseAuthorization,
  type RejectedToken,
  type TokenVerifier,
  type VerifiedToken,
} from '@gatehouse/core';

/** The built-in API whose (management) tokens must never open a protected API. */
export const MANAGEMENT_API = 'gatehouse';
/**
 * Its fixed token prefix (see src/server/bootstrap.ts). Refusing these before verifying means a
 * management token is plainly `invalid_token` on every route, never a telling 403 for a scope it
 * lacks, and never counts against anything.
 */
const MANAGEMENT_TOKEN_START = 'gthm_';

/** Why a request was turned away, as written to the audit log's `result`. */
export type DenialReason =
  | RejectedToken['code']
  | 'UNMATCHED_ROUTE'
  | 'NO_CREDENTIALS'
  | 'MALFORMED_HEADER'
  | 'VERIFIER_UNAVAILABLE';

export type AuthorizationOutcome =
  | { kind: 'public'; pattern: string }
  | { kind: 'allowed'; pattern: string | null; token: VerifiedToken }
  | { kind: 'denied'; reason: DenialReason; challenge: Challenge; pattern: string | null };

export interface AuthorizeInput {
  /** Null when no policy is configured: every route needs a valid token (plus `extraScopes`). */
  policy: CompiledPolicy | null;
  verifier: TokenVerifier;
  method: string;
  /** The request target as received (path and query). */
  target: string;
  authorization: string | string[] | undefined;
  ip: string | undefined;
  realm: string;
  /** Scopes required on top of the policy's (forward auth's `scopes=` parameter). */
  extraScopes?: readonly string[];
}

const UNMATCHED: Challenge = {
  status: 403,
  headers: {},
  body: { error: 'forbidden', error_description: 'no policy route allows this request' },
};

/**
 * The one enforcement decision shared by the gateway proxy and forward auth: match the route,
 * read the bearer credential, verify it with the required scopes, the client IP and the policy's
 * API, and refuse management tokens. Denials come back as RFC 6750 challenges, never as throws.
 * @example
 * const outcome = await authorizeRequest({ policy, verifier, method: 'GET', target: '/orders/1',
 *   authorization: req.headers.authorization, ip, realm: 'gatehouse' });
 */
export async function authorizeRequest(input: AuthorizeInput): Promise<AuthorizationOutcome> {
  const extra = input.extraScopes ?? [];
  const decision = input.policy
    ? input.policy.match(input.method, input.target)
    : { kind: 'scopes' as const, scopes: [] as readonly string[], pattern: null };
  if (decision.kind === 'unmatched')
    return { kind: 'denied', reason: 'UNMATCHED_ROUTE', challenge: UNMATCHED, pattern: null };
  const pattern = decision.pattern;
  // A gateway's explicit per-location scopes still apply on a route the policy calls public.
  if (decision.kind === 'public' && extra.length === 0)
    return { kind: 'public', pattern: decision.pattern };
  const scopes = decision.kind === 'public' ? [...extra] : union(decision.scopes, extra);

  const { realm } = input;
  const credential = parseAuthorization(input.authorization);
  if (credential.kind === 'none')
    return deny('NO_CREDENTIALS', challengeFor({ kind: 'none' }, { realm }), pattern);
  if (credential.kind === 'malformed')
    return deny('MALFORMED_HEADER', challengeFor({ kind: 'malformed' }, { realm }), pattern);

  let result: Awaited<ReturnType<TokenVerifier['verify']>>;
  if (credential.token.startsWith(MANAGEMENT_TOKEN_START)) {
    result = { valid: false, code: 'NOT_FOUND' };
  } else {
    try {
      result = await input.verifier.verify(credential.token, {
        scopes,
        ip: input.ip,
        api: input.policy?.api,
      });
    } catch {
      // Fail closed: an unreachable or broken verifier must never let a request through.
      return deny('VERIFIER_UNAVAILABLE', UNAVAILABLE, pattern);
    }
  }
  // Backstop for management tokens of another shape (e.g. JWTs).
  if (result.valid && result.api === MANAGEMENT_API) result = { valid: false, code: 'NOT_FOUND' };
  if (!result.valid) {
    const challenge = challengeFor({ kind: 'denied', result, requiredScopes: scopes }, { realm });
    return deny(result.code, challenge, pattern);
  }
  return { kind: 'allowed', pattern, token: result };
}

const UNAVAILABLE: Challenge = {
  status: 503,
  headers: { 'retry-after': '1' },
  body: { error: 'temporarily_unavailable', error_description: 'token verification unavailable' },
};

function deny(
  reason: DenialReason,
  challenge: Challenge,
  pattern: string | null,
): AuthorizationOutcome {
  return { kind: 'denied', reason, challenge, pattern };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return b.length === 0 ? [...a] : [...new Set([...a, ...b])];
}
