/** An RFC 9457 problem body as the Gatehouse management API sends it. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [extension: string]: unknown;
}

/**
 * A management API call answered with an error status. Carries the problem+json `code`
 * (stable, switch on it), the HTTP `status` and the human `detail`.
 * @example
 * try { await client.tokens.get('tok_missing') }
 * catch (error) { if (error instanceof GatehouseApiError && error.code === 'NOT_FOUND') … }
 */
export class GatehouseApiError extends Error {
  override readonly name = 'GatehouseApiError';
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly problem: ProblemBody;

  constructor(status: number, problem: ProblemBody) {
    const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
    super(`${status} ${code}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.status = status;
    this.code = code;
    this.detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    this.problem = problem;
  }
}

/**
 * The Gatehouse server could not be reached (network error, timeout, 5xx), or a verifier could
 * not give a fresh enough answer. Middleware turns it into 503: a fault, not a denial.
 * @example if (error instanceof GatehouseUnavailableError) res.status(503)
 */
export class GatehouseUnavailableError extends Error {
  override readonly name = 'GatehouseUnavailableError';
  readonly code = 'UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
