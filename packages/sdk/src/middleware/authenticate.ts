import {
  type BearerCredential,
  challengeFor,
  parseAuthorization,
  SCOPE_REGEX,
  type TokenVerifier,
  type VerifiedToken,
} from '@gatehouse/core';
import type { AuditReporter, ReportedEvent } from '../audit/audit-reporter.js';
import { GatehouseApiError, GatehouseUnavailableError } from '../errors.js';
import { createVerifier, type RemoteVerifierOptions } from '../verifier/remote-verifier.js';

/** The verified identity middleware puts on the request. */
export type GatehouseIdentity = Omit<VerifiedToken, 'valid'>;

/** Options shared by the Express, Fastify and Hono middleware. */
export interface GatehouseMiddlewareOptions {
  /** Who verifies. Default: a remote verifier built from `remote`. */
  verifier?: TokenVerifier;
  /** Remote verifier settings (`url`, `token`, `maxStalenessMs`…) used when `verifier` is absent. */
  remote?: RemoteVerifierOptions;
  /** Scopes every request must hold (all of them). */
  scopes?: readonly string[];
  /** Only tokens of this API are accepted; others are `invalid_token`. */
  api?: string;
  /** The `realm` in challenges. Default `gatehouse`. */
  realm?: string;
  /**
   * Where the credential comes from: the `Authorization: Bearer` header (default), or a named
   * header holding the bare token (e.g. `x-api-key`). Tokens in the URL are always refused.
   */
  tokenFrom?: 'authorization' | { header: string };
  /** Told about faults that became a 503 (for logging; never receives the token). */
  onError?(error: unknown): void;
  /**
   * Where each request's outcome is reported for the server's audit log. Default: the remote
   * verifier's own reporter (`verifier.audit`); `false` reports nothing.
   */
  audit?: Pick<AuditReporter, 'record'> | false;
}

/** What the adapters hand to {@link Authenticator.authenticate}: a framework-free request view. */
export interface RequestView {
  header(name: string): string | string[] | undefined;
  /** Path and query as received (or the full URL). */
  url: string;
  ip: string | undefined;
  /** HTTP method, for the audit event. */
  method?: string;
}

export type AuthOutcome =
  | { ok: true; identity: GatehouseIdentity }
  | { ok: false; status: number; headers: Record<string, string>; body: Record<string, unknown> };

export interface Authenticator {
  readonly verifier: TokenVerifier;
  authenticate(request: RequestView, scopes?: readonly string[]): Promise<AuthOutcome>;
}

const UNAVAILABLE: AuthOutcome = {
  ok: false,
  status: 503,
  headers: { 'retry-after': '1', 'cache-control': 'no-store' },
  body: {
    error: 'temporarily_unavailable',
    error_description: 'token verification is unavailable',
  },
};

/**
 * Checks middleware options once and returns the framework-free core of every adapter: read the
 * credential, make exactly one verifier call, translate the result per RFC 6750 (core `challengeFor`).
 * @example const auth = createAuthenticator({ verifier, scopes: ['orders:read'] });
 */
export function createAuthenticator(options: GatehouseMiddlewareOptions): Authenticator {
  const realm = options.realm ?? 'gatehouse';
  if (
    typeof realm !== 'string' ||
    realm === '' ||
    !/^[\x20-\x7e]+$/.test(realm) ||
    /["\\]/.test(realm)
  ) {
    throw new TypeError('realm must be a non-empty string of printable ASCII without quotes');
  }
  const defaultScopes = checkScopes(options.scopes ?? []);
  const verifier =
    options.verifier ?? (options.remote ? createVerifier(options.remote) : undefined);
  if (!verifier) throw new TypeError('pass a verifier, or remote: { url, token }');
  const read = credentialReader(options.tokenFrom ?? 'authorization');
  const api = options.api;

  const audit =
    options.audit === false
      ? undefined
      : (options.audit ?? (verifier as { audit?: Pick<AuditReporter, 'record'> }).audit);
  const report = (
    request: RequestView,
    outcome: AuthOutcome,
    type: ReportedEvent['type'],
    result: string,
    identity?: GatehouseIdentity,
  ): AuthOutcome => {
    audit?.record({
      type,
      tokenId: identity?.tokenId ?? null,
      subject: identity?.subject ?? null,
      api: identity?.api ?? null,
      ip: request.ip ?? null,
      method: request.method ?? null,
      path: pathOf(request.url),
      status: outcome.ok ? null : outcome.status,
      result,
    });
    return outcome;
  };

  return {
    verifier,
    async authenticate(request, routeScopes) {
      if (request.url.includes('access_token=') && hasUrlToken(request.url)) {
        const refused = refuse(
          400,
          realm,
          'invalid_request',
          'tokens in URLs are refused; use the Authorization header',
        );
        return report(request, refused, 'request.denied', 'TOKEN_IN_URL');
      }
      const credential = read(request);
      if (credential.kind !== 'token') {
        const outcome = asOutcome(challengeFor(credential, { realm }));
        const result = credential.kind === 'none' ? 'NO_CREDENTIALS' : 'INVALID_REQUEST';
        return report(request, outcome, 'request.denied', result);
      }
      const scopes = routeScopes ?? defaultScopes;
      let result: Awaited<ReturnType<TokenVerifier['verify']>>;
      try {
        result = await verifier.verify(credential.token, { scopes, ip: request.ip, api });
      } catch (error) {
        if (!(error instanceof GatehouseUnavailableError || error instanceof GatehouseApiError))
          throw error;
        options.onError?.(error);
        return UNAVAILABLE;
      }
      if (!result.valid) {
        const outcome = asOutcome(
          challengeFor({ kind: 'denied', result, requiredScopes: scopes }, { realm }),
        );
        return report(request, outcome, 'token.rejected', result.code);
      }
      // The verifier's answer as is (cached answers are frozen and shared): no copy per request.
      return report(request, { ok: true, identity: result }, 'token.verified', 'VALID', result);
    },
  };
}

/** Validates per-route scopes once, at route definition time. */
export function checkScopes(scopes: readonly string[]): readonly string[] {
  if (!Array.isArray(scopes)) throw new TypeError('scopes must be an array of strings');
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_REGEX.test(scope))
      throw new TypeError(`invalid scope: ${String(scope)}`);
  }
  return Object.freeze([...scopes]);
}

function credentialReader(
  from: GatehouseMiddlewareOptions['tokenFrom'],
): (r: RequestView) => BearerCredential {
  if (from === 'authorization')
    return (request) => parseAuthorization(request.header('authorization'));
  if (!from || typeof from.header !== 'string' || from.header === '') {
    throw new TypeError("tokenFrom must be 'authorization' or { header: 'x-api-key' }");
  }
  const name = from.header.toLowerCase();
  // A bare token in a custom header: reuse the bearer rules by prefixing the scheme.
  return (request) => {
    const value = request.header(name);
    if (Array.isArray(value))
      return value.length === 1 ? parseAuthorization(`Bearer ${value[0]}`) : { kind: 'malformed' };
    return value && value.trim() !== '' ? parseAuthorization(`Bearer ${value}`) : { kind: 'none' };
  };
}

function hasUrlToken(url: string): boolean {
  const query = url.indexOf('?');
  return query !== -1 && new URLSearchParams(url.slice(query + 1)).has('access_token');
}

function refuse(status: number, realm: string, error: string, description: string): AuthOutcome {
  return {
    ok: false,
    status,
    headers: { 'www-authenticate': `Bearer realm="${realm}", error="${error}"` },
    body: { error, error_description: description },
  };
}

function asOutcome(challenge: ReturnType<typeof challengeFor>): AuthOutcome {
  return { ok: false, status: challenge.status, headers: challenge.headers, body: challenge.body };
}

/** The path of a request URL (absolute or origin-form), without its query: queries can hold secrets. */
function pathOf(url: string): string {
  const query = url.search(/[?#]/);
  const bare = query === -1 ? url : url.slice(0, query);
  const scheme = bare.indexOf('://');
  if (scheme === -1) return bare || '/';
  const slash = bare.indexOf('/', scheme + 3);
  return slash === -1 ? '/' : bare.slice(slash);
}
