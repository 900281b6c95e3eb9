import {
  createClient,
  GatehouseApiError,
  type GatehouseClient,
  GatehouseUnavailableError,
} from '@gatehouse/sdk';
import { CliError, EXIT } from './cli-error.js';

/** Where management commands send their requests when GATEHOUSE_URL is unset. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The server and credential a management command talks to, from the environment. */
export interface Connection {
  url: string;
  token: string;
}

/**
 * Reads GATEHOUSE_URL (default {@link DEFAULT_URL}) and GATEHOUSE_TOKEN. The token only comes from
 * the environment: a flag would show it in `ps` output and shell history.
 * @example const { url, token } = connectionFromEnv();
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): Connection {
  const url = env.GATEHOUSE_URL?.trim() || DEFAULT_URL;
  try {
    new URL(url);
  } catch {
    throw new CliError(`GATEHOUSE_URL "${url}" is not a URL`, EXIT.usage);
  }
  const token = env.GATEHOUSE_TOKEN?.trim();
  if (!token)
    throw new CliError(
      'GATEHOUSE_TOKEN is not set: export a management token (the root token printed by `gatehouse serve` on first start)',
      EXIT.auth,
    );
  return { url, token };
}

/**
 * The SDK client for the environment's server. The timeout leaves room for `revoke --wait`
 * (the server waits up to 10 s).
 * @example const gh = managementClient(); await gh.tokens.get('tok_…');
 */
export function managementClient(connection: Connection = connectionFromEnv()): GatehouseClient {
  return createClient({ url: connection.url, token: connection.token, timeoutMs: 30_000 });
}

/** 4xx answers that mean "fix your command", as opposed to auth (4) or server trouble (3). */
const INPUT_STATUSES = new Set([400, 404, 405, 409, 410, 413, 415, 422]);

/**
 * Turns an SDK failure into a one-line {@link CliError} with the right exit code: 401/403 → 4,
 * rejected input (400, 404, 409, 413…) → 2, unreachable server, 5xx and 429 → 3.
 * Anything else is returned unchanged.
 * @example catch (error) { throw toCliError(error, connection.url) }
 */
export function toCliError(error: unknown, url: string): unknown {
  if (error instanceof GatehouseApiError) {
    const detail = oneLine(error.detail ?? error.problem.title ?? 'request failed');
    const message = `${detail} (${error.code}, HTTP ${error.status})`;
    if (error.status === 401 || error.status === 403) return new CliError(message, EXIT.auth);
    return new CliError(message, INPUT_STATUSES.has(error.status) ? EXIT.usage : EXIT.api);
  }
  if (error instanceof GatehouseUnavailableError)
    return new CliError(
      `cannot reach Gatehouse at ${url}: ${oneLine(error.message.replace(/^Gatehouse unreachable: /, ''))} (is the server running? set GATEHOUSE_URL)`,
      EXIT.api,
    );
  return error;
}

/**
 * Runs one management call with the environment's client, translating failures.
 * @example const token = await withClient((gh) => gh.tokens.get(id));
 */
export async function withClient<T>(call: (client: GatehouseClient) => Promise<T>): Promise<T> {
  const connection = connectionFromEnv();
  try {
    return await call(managementClient(connection));
  } catch (error) {
    throw toCliError(error, connection.url);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
