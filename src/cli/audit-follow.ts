import {
  type AuditEventJson,
  GatehouseApiError,
  GatehouseUnavailableError,
  type ProblemBody,
} from '@gatehouse/sdk';
import type { Connection } from './connection.js';
import { note } from './output.js';
import { readSseEvents } from './sse-events.js';

export interface FollowOptions {
  connection: Connection;
  query: Record<string, string | undefined>;
  signal: AbortSignal;
  onEvent(event: AuditEventJson): Promise<void> | void;
}

const RETRY_MS = [500, 1000, 2000, 5000] as const;

/**
 * Follows `GET /v1/audit/stream` (SSE) until `signal` aborts. The first connection must succeed
 * (its failure is thrown as an SDK error, so the CLI can name the cause); afterwards a dropped
 * stream is resumed with `Last-Event-ID`, the way `tail -F` survives a log rotation.
 * The SDK has no audit stream method yet, hence this small fetch.
 * @example await followAudit({ connection, query: {}, signal, onEvent: (e) => console.log(e.type) });
 */
export async function followAudit(options: FollowOptions): Promise<void> {
  const { connection, signal } = options;
  let lastEventId: string | undefined;
  let connected = false;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await open(options, lastEventId);
      if (!connected) connected = true;
      else note('audit stream: reconnected');
      failures = 0;
      for await (const message of readSseEvents(response.body as ReadableStream<Uint8Array>)) {
        if (message.id) lastEventId = message.id;
        const event = parseEvent(message.data);
        if (event) await options.onEvent(event);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!connected || (error instanceof GatehouseApiError && error.status !== 503)) throw error;
    }
    if (signal.aborted) return;
    const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)];
    if (failures === 1) note(`audit stream from ${connection.url} ended; reconnecting…`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, wait);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
}

async function open(options: FollowOptions, lastEventId: string | undefined): Promise<Response> {
  const url = new URL('v1/audit/stream', options.connection.url.replace(/\/?$/, '/'));
  for (const [key, value] of Object.entries(options.query))
    if (value !== undefined) url.searchParams.set(key, value);
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.connection.token}`,
    accept: 'text/event-stream',
  };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: options.signal });
  } catch (error) {
    if (options.signal.aborted) throw error;
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new GatehouseUnavailableError(cause ?? (error as Error).message, { cause: error });
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    let problem: ProblemBody = { status: response.status, detail: text.slice(0, 200) };
    try {
      problem = JSON.parse(text) as ProblemBody;
    } catch {
      // not problem+json: keep the text
    }
    throw new GatehouseApiError(response.status, problem);
  }
  return response;
}

/** Audit events carry `type` and `time`; `hello` and other control events do not. */
function parseEvent(data: string): AuditEventJson | undefined {
  try {
    const value: unknown = JSON.parse(data);
    if (value && typeof value === 'object' && 'type' in value && 'time' in value)
      return value as AuditEventJson;
  } catch {
    // a non-JSON control message
  }
  return undefined;
}
