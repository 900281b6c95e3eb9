import type { ChangeJson } from '../client/types.js';
import { GatehouseApiError } from '../errors.js';
import { type ConnectionOptions, HttpTransport } from '../http.js';
import { readSse } from './sse-reader.js';

/** Where the subscription stands; verifiers use it to decide how fresh their cache is. */
export type FeedStatus =
  | { state: 'connected'; subscriberId: string; seq: number; resumed: boolean }
  | { state: 'disconnected'; error?: unknown };

export interface ChangeFeedOptions extends ConnectionOptions {
  /** Applies one change. Called in `seq` order, exactly once per seq per process. */
  onChange(change: ChangeJson): void;
  onStatus?(status: FeedStatus): void;
  /** Resume position: changes with a larger `seq` are delivered. Default: from now on. */
  after?: number;
  /** A name for this subscriber in revocation receipts (`?subscriber=`). */
  subscriber?: string;
  /** Acknowledge applied changes (`POST /v1/events/ack`) so revocation receipts count us. Default true. */
  ack?: boolean;
  /** No byte for this long (the server pings every 15 s) → the connection is dead. Default 45 000. */
  heartbeatTimeoutMs?: number;
  /** Reconnect backoff bounds in ms. Default 100 → 5 000, doubling, with jitter. */
  reconnectDelayMs?: { min: number; max: number };
}

/**
 * A resumable subscription to `GET /v1/events/stream` over fetch: reconnects with
 * `Last-Event-ID`, skips duplicates, acknowledges applied changes, and detects dead connections.
 * @example
 * const feed = new ChangeFeed({ url, token, onChange: (c) => cache.apply(c) });
 * feed.start(); … await feed.close();
 */
export class ChangeFeed {
  private readonly http: HttpTransport;
  private seq: number | undefined;
  private subscriber: string | undefined;
  private controller: AbortController | undefined;
  private closed = false;
  private running: Promise<void> | undefined;
  private ackedSeq = 0;
  private ackInFlight = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: ChangeFeedOptions) {
    this.http = new HttpTransport(options);
    this.seq = options.after;
  }

  /** The last applied sequence number (undefined before the first `hello`). */
  get lastSeq(): number | undefined {
    return this.seq;
  }

  /** The id the server gave this subscription (for acks). */
  get subscriberId(): string | undefined {
    return this.subscriber;
  }

  /** Opens the stream in the background; idempotent. */
  start(): void {
    if (this.running || this.closed) return;
    this.running = this.loop();
  }

  /** Stops for good: aborts the stream and cancels pending reconnects. */
  async close(): Promise<void> {
    this.closed = true;
    this.controller?.abort();
    this.wakeUp?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { min, max } = this.options.reconnectDelayMs ?? { min: 100, max: 5_000 };
    let delay = min;
    while (!this.closed) {
      let connected = false;
      let failure: unknown;
      try {
        await this.connectOnce(() => {
          connected = true;
          delay = min;
        });
      } catch (error) {
        failure = error;
      }
      if (this.closed) break;
      this.options.onStatus?.({ state: 'disconnected', error: failure });
      if (!connected) delay = Math.min(max, delay * 2);
      await this.sleep(delay / 2 + Math.random() * (delay / 2));
    }
    this.options.onStatus?.({ state: 'disconnected' });
  }

  private async connectOnce(onHello: () => void): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.seq !== undefined) headers['last-event-id'] = String(this.seq);
    const response = await this.openStream(headers, controller.signal);
    const timeoutMs = this.options.heartbeatTimeoutMs ?? 45_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => controller.abort(new Error('event stream heartbeat timeout')),
        timeoutMs,
      );
      timer.unref();
    };
    arm();
    try {
      await readSse(response, {
        onActivity: arm,
        onEvent: (message) => {
          if (message.event === 'hello') {
            const hello = JSON.parse(message.data) as { subscriberId: string; seq: number };
            const resumed = this.seq !== undefined;
            this.seq ??= hello.seq;
            this.subscriber = hello.subscriberId;
            this.ackedSeq = 0;
            onHello();
            this.options.onStatus?.({
              state: 'connected',
              subscriberId: hello.subscriberId,
              seq: this.seq,
              resumed,
            });
            this.acknowledge();
          } else if (message.event === 'change') {
            const change = JSON.parse(message.data) as ChangeJson;
            if (this.seq !== undefined && change.seq <= this.seq) return;
            this.options.onChange(change);
            this.seq = change.seq;
            this.acknowledge();
          }
        },
      });
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private async openStream(
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Response> {
    const query = this.options.subscriber ? { subscriber: this.options.subscriber } : undefined;
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    const response = await fetchImpl(this.http.url('/v1/events/stream', query), {
      headers: { ...headers, authorization: `Bearer ${this.options.token}` },
      signal,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new GatehouseApiError(response.status, problem as Record<string, unknown>);
    }
    return response;
  }

  /** Coalesced acks: at most one in flight, always for the newest applied seq. */
  private acknowledge(): void {
    if (this.options.ack === false || this.ackInFlight) return;
    const seq = this.seq;
    const subscriberId = this.subscriber;
    if (seq === undefined || subscriberId === undefined || seq <= this.ackedSeq) return;
    this.ackInFlight = true;
    let delivered = false;
    this.http
      .send('/v1/events/ack', { method: 'POST', body: { subscriberId, seq } })
      .then(
        () => {
          delivered = true;
          this.ackedSeq = Math.max(this.ackedSeq, seq);
        },
        () => {
          // A lost ack only delays a revocation receipt; the next change (or hello) retries it.
        },
      )
      .finally(() => {
        this.ackInFlight = false;
        // Catch up with changes applied while this ack was in flight (not after a failure: no spin).
        if (delivered && !this.closed) this.acknowledge();
      });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
