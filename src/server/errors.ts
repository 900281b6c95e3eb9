/** Stable error codes of the management API, each with its HTTP status and title. */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: 'Invalid request' },
  invalid_json: { status: 400, title: 'Invalid JSON body' },
  validation_failed: { status: 400, title: 'Validation failed' },
  policy_violation: { status: 400, title: 'Request violates the API policy' },
  invalid_cursor: { status: 400, title: 'Invalid pagination cursor' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Insufficient scope' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * A failure to report to the caller as RFC 9457 problem+json. Throw it from routes and services;
 * the error handler renders it. `field` names the offending input (`body.ttlSeconds`).
 * @example throw new GatehouseError('not_found', `token ${id} does not exist`, { field: 'id' });
 */
export class GatehouseError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  readonly extra: Record<string, unknown> | undefined;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: { field?: string; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'GatehouseError';
    this.status = ERROR_CODES[code].status;
    this.field = options.field;
    this.extra = options.extra;
  }
}

/** The RFC 9457 body every error response carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  [extra: string]: unknown;
}

export function problemBody(
  code: ErrorCode,
  detail: string,
  field?: string,
  extra?: Record<string, unknown>,
): ProblemBody {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `https://gatehouse.dev/problems/${code.replace(/_/g, '-')}`,
    title,
    status,
    detail,
    code,
    ...(field ? { field } : {}),
    ...extra,
  };
}
