import { OAuthError } from './oauth-errors.js';

/** How the caller presented credentials on an OAuth endpoint. */
export type CallerCredentials =
  | { method: 'none' }
  | { method: 'bearer'; token: string }
  | {
      method: 'client_secret_basic' | 'client_secret_post';
      clientId: string;
      clientSecret: string;
    };

const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64, so `+` is a space. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError(
      'invalid_client',
      'the Basic credentials are not form-urlencoded',
      BASIC_CHALLENGE,
    );
  }
}

/**
 * Reads the caller's credentials from `Authorization` (Basic or Bearer) and the form
 * (`client_id`/`client_secret`). Using two methods at once is `invalid_request` (RFC 6749 §2.3);
 * an unreadable Basic header is `invalid_client`.
 * @example const creds = readCallerCredentials(request.headers.authorization, form);
 */
export function readCallerCredentials(
  authorization: string | undefined,
  form: URLSearchParams,
): CallerCredentials {
  const postId = form.get('client_id');
  const postSecret = form.get('client_secret');
  const header = authorization?.trim() ?? '';
  const usesPost = postSecret !== null;
  if (header === '') {
    if (!usesPost) return { method: 'none' };
    if (!postId) throw new OAuthError('invalid_request', 'client_secret needs client_id');
    return { method: 'client_secret_post', clientId: postId, clientSecret: postSecret };
  }
  if (usesPost)
    throw new OAuthError('invalid_request', 'use one client authentication method, not two');
  const match = /^(\S+)(?:\s+(.*))?$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const rest = match?.[2]?.trim() ?? '';
  if (scheme === 'bearer') {
    if (rest === '' || /\s/.test(rest))
      throw new OAuthError(
        'invalid_client',
        'the Bearer credential is malformed',
        'Bearer realm="gatehouse"',
      );
    return { method: 'bearer', token: rest };
  }
  if (scheme !== 'basic')
    throw new OAuthError(
      'invalid_client',
      'use HTTP Basic or Bearer authentication',
      BASIC_CHALLENGE,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(rest))
    throw new OAuthError('invalid_client', 'the Basic credentials are not base64', BASIC_CHALLENGE);
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0)
    throw new OAuthError(
      'invalid_client',
      'the Basic credentials need "client_id:client_secret"',
      BASIC_CHALLENGE,
    );
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (postId !== null && postId !== clientId)
    throw new OAuthError(
      'invalid_request',
      'client_id in the form differs from the Basic credentials',
    );
  return { method: 'client_secret_basic', clientId, clientSecret };
}

/** The challenge to send with a 401 for the given credentials. */
export function challengeFor(credentials: CallerCredentials): string {
  return credentials.method === 'bearer'
    ? 'Bearer realm="gatehouse", error="invalid_token"'
    : BASIC_CHALLENGE;
}

/**
 * Parses an `application/x-www-form-urlencoded` body, refusing repeated parameters
 * (RFC 6749 §3.2: parameters MUST NOT be included more than once).
 * @example const form = parseOAuthForm('grant_type=client_credentials&scope=a+b');
 */
export function parseOAuthForm(body: string): URLSearchParams {
  const form = new URLSearchParams(body);
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key)) throw new OAuthError('invalid_request', `parameter ${key} is repeated`);
    seen.add(key);
  }
  return form;
}
