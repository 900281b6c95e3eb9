import { GatehouseApiError, GatehouseUnavailableError, type ProblemBody } from './errors.js';

/** Where and how to reach a Gatehouse server. */
export interface ConnectionOptions {
  /** Base URL of the Gatehouse server, e.g. `http://127.0.0.1:8080`. */
  url: string | URL;
  /** A `gatehouse` API token (the management credential). Never logged. */
  token: string;
  /** Per-request timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * The one place the SDK speaks HTTP: adds the bearer credential, serializes JSON, and turns
 * error statuses into {@link GatehouseApiError} and network failures into
 * {@link GatehouseUnavailableError}.
 */
export class HttpTransport {
  readonly baseUrl: URL;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ConnectionOptions) {
    if (!options.token) throw new TypeError('token is required');
    const base = new URL(String(options.url));
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.baseUrl = base;
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** Resolves a path like `/v1/tokens` against the base URL (keeping any base path prefix). */
  url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** Sends a request and returns the raw response once the status is known to be 2xx. */
  async send(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body,
        signal,
      });
    } catch (error) {
      throw new GatehouseUnavailableError(`Gatehouse unreachable: ${describe(error)}`, {
        cause: error,
      });
    }
    if (response.ok) return response;
    throw new GatehouseApiError(response.status, await readProblem(response));
  }

  /** Sends a request and parses the JSON answer (`undefined` for 204). */
  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

async function readProblem(response: Response): Promise<ProblemBody> {
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as ProblemBody;
  } catch {
    // Not JSON (a proxy's HTML error page, say): fall through to a synthetic problem.
  }
  return { status: response.status, title: response.statusText, detail: text.slice(0, 200) };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
