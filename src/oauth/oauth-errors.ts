/** RFC 6749 §5.2 / RFC 7009 §2.2.1 error codes, with the HTTP status each is sent with. */
export const OAUTH_ERRORS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/**
 * An OAuth protocol error, rendered as `{"error", "error_description"}` JSON (never problem+json:
 * OAuth clients parse this shape). `challenge` becomes the `WWW-Authenticate` header on a 401.
 * @example throw new OAuthError('invalid_scope', 'orders:write is not granted to this client');
 */
export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    readonly challenge?: string,
  ) {
    super(description);
    this.name = 'OAuthError';
    this.status = OAUTH_ERRORS[code];
  }

  /** The RFC 6749 §5.2 body. */
  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}
