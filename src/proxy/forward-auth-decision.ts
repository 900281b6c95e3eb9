import type { IncomingHttpHeaders } from 'node:http';
import { type CompiledPolicy, SCOPE_REGEX, type TokenVerifier } from '@gatehouse/core';
import { type AuthorizationOutcome, authorizeRequest } from './authorize-request.js';
import { identityHeaders } from './identity-headers.js';

export interface ForwardAuthInput {
  /** `serve --policy FILE`, or null: then only `scopes=` applies, on every route. */
  policy: CompiledPolicy | null;
  verifier: TokenVerifier;
  realm: string;
  /** Headers of the auth request as the gateway sent them. */
  headers: IncomingHttpHeaders;
  /** The auth request's own method (the fallback for the original method). */
  method: string;
  /** The `scopes` query parameter(s) of the auth request, if any. */
  scopesParam: string | string[] | undefined;
  /**
   * The path after `/v1/forward-auth` when a gateway appends the original path to the auth URL
   * (Envoy's ext_authz `path_prefix`); it is the original URI when no header names one.
   */
  pathSuffix?: string | undefined;
  /** The TCP peer (the gateway), used when no X-Forwarded-For is present. */
  peerIp: string | undefined;
}

export interface ForwardAuthDecision {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  outcome: AuthorizationOutcome;
  /** The original request, as understood, for the audit log. */
  original: { method: string; uri: string; ip: string | undefined };
}

/**
 * Decides a forward-auth subrequest (nginx `auth_request`, Traefik ForwardAuth, Envoy ext_authz):
 * 200 with the identity headers, or the RFC 6750 denial. Gateways only understand 2xx, 401 and
 * 403 from an auth subrequest, so a malformed header is 401 `invalid_request` here (not 400).
 * @example
 * const d = await decideForwardAuth({ policy, verifier, realm: 'gatehouse', headers: req.headers,
 *   method: req.method, scopesParam: req.query.scopes, peerIp: req.ip });
 * reply.code(d.status).headers(d.headers).send(d.body);
 */
export async function decideForwardAuth(input: ForwardAuthInput): Promise<ForwardAuthDecision> {
  const h = input.headers;
  const suffix = input.pathSuffix || undefined;
  const method = (first(h['x-original-method']) ?? first(h['x-forwarded-method']) ?? input.method)
    .trim()
    .toUpperCase();
  const uri = first(h['x-original-uri']) ?? first(h['x-forwarded-uri']) ?? suffix;
  const ip = clientIp(h, input.peerIp);
  const original = { method, uri: uri ?? '', ip };
  // With the original path appended to the auth URL, the query string is the client's, not ours.
  const extraScopes = suffix && uri === suffix ? [] : parseScopes(input.scopesParam);
  // A bad `scopes=` is the gateway operator's mistake: refuse, so nothing passes by accident.
  if (extraScopes === null) return forbidden('invalid scopes= parameter', original);
  // No original URI: nothing to match the policy against, so nothing can be allowed.
  if (uri === undefined && input.policy !== null)
    return forbidden('X-Original-URI or X-Forwarded-Uri is required', original);
  const outcome = await authorizeRequest({
    policy: input.policy,
    verifier: input.verifier,
    method,
    target: uri ?? '/',
    authorization: h.authorization,
    ip,
    realm: input.realm,
    extraScopes,
  });
  if (outcome.kind === 'public') return { status: 200, headers: {}, body: {}, outcome, original };
  if (outcome.kind === 'allowed') {
    const headers = identityHeaders(outcome.token);
    return { status: 200, headers, body: {}, outcome, original };
  }
  const { challenge } = outcome;
  if (outcome.reason === 'MALFORMED_HEADER') {
    return { status: 401, headers: challenge.headers, body: challenge.body, outcome, original };
  }
  return {
    status: challenge.status,
    headers: challenge.headers,
    body: challenge.body,
    outcome,
    original,
  };
}

function forbidden(
  description: string,
  original: ForwardAuthDecision['original'],
): ForwardAuthDecision {
  const body = { error: 'forbidden', error_description: description };
  const challenge = { status: 403, headers: {}, body };
  const outcome: AuthorizationOutcome = {
    kind: 'denied',
    reason: 'UNMATCHED_ROUTE',
    pattern: null,
    challenge,
  };
  return { status: 403, headers: {}, body, outcome, original };
}

/**
 * `scopes=orders:read orders:write` or `scopes=orders:read,orders:write` (repeatable).
 * Returns null when any entry is not a valid scope.
 * @example parseScopes('a:read,b:write') // ['a:read', 'b:write']
 */
export function parseScopes(param: string | string[] | undefined): string[] | null {
  if (param === undefined) return [];
  const parts = (Array.isArray(param) ? param : [param])
    .flatMap((p) => p.split(/[\s,]+/))
    .filter((p) => p !== '');
  return parts.every((p) => SCOPE_REGEX.test(p)) ? [...new Set(parts)] : null;
}

/**
 * The client address as the gateway reports it: the right-most X-Forwarded-For entry is the one
 * the gateway itself added (left-most entries can be forged by the client).
 */
function clientIp(headers: IncomingHttpHeaders, peer: string | undefined): string | undefined {
  const xff = first(headers['x-forwarded-for']);
  if (!xff) return peer;
  const last = xff.split(',').at(-1)?.trim();
  return last || peer;
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}
