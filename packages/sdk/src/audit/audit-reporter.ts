import { type ConnectionOptions, HttpTransport } from '../http.js';

/** A usage event an enforcement point reports (`POST /v1/audit/events`). Never a secret. */
export interface ReportedEvent {
  type: 'token.verified' | 'token.rejected' | 'request.proxied' | 'request.denied';
  /** ISO 8601; defaults to when it was recorded. */
  time?: string;
  tokenId?: string | null;
  subject?: string | null;
  api?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  method?: string | null;
  path?: string | null;
  status?: number | null;
  /** `VALID` or a verify code. */
  result?: string | null;
  latencyMs?: number | null;
}

export interface AuditReporterOptions extends ConnectionOptions {
  /** Longest an event waits before it is sent. Default 1000 ms. */
  flushMs?: number;
  /** Events per request. Default 500 (the server takes up to 1000). */
  batchSize?: number;
  /** Queue bound; past it events are dropped and counted. Default 10 000. */
  capacity?: number;
  /** Told when a batch could not be sent (it is kept and retried). */
  onError?(error: unknown): void;
}

export interface AuditReporter {
  /** Queues an event; never blocks or throws on the request path. */
  record(event: ReportedEvent): void;
  /** Sends everything queued. */
  flush(): Promise<void>;
  /** Stops the timer and sends what is queued. */
  close(): Promise<void>;
  stats(): { queued: number; sent: number; dropped: number; failedSends: number };
}

/**
 * Batches usage events from a remote enforcement point (SDK middleware, `gatehouse proxy
 * --remote`) to the server's audit log, so requests decided from a local cache are audited too.
 * Needs a token with `tokens:verify`.
 * @example const audit = createAuditReporter({ url, token }); audit.record({ type: 'token.verified', tokenId });
 */
export function createAuditReporter(options: AuditReporterOptions): AuditReporter {
  const http = new HttpTransport(options);
  const flushMs = options.flushMs ?? 1000;
  const batchSize = Math.min(options.batchSize ?? 500, 1000);
  const capacity = options.capacity ?? 10_000;
  let queue: ReportedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  const counts = { sent: 0, dropped: 0, failedSends: 0 };

  async function sendAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      try {
        await http.json('/v1/audit/events', { method: 'POST', body: { events: batch } });
      } catch (error) {
        counts.failedSends += 1;
        options.onError?.(error);
        arm();
        return;
      }
      queue = queue.slice(batch.length);
      counts.sent += batch.length;
    }
  }

  function run(): Promise<void> {
    sending ??= sendAll().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  function arm(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, flushMs);
    timer.unref();
  }

  return {
    record(event) {
      if (queue.length >= capacity) {
        counts.dropped += 1;
        return;
      }
      queue.push(event.time ? event : { ...event, time: new Date().toISOString() });
      if (queue.length >= batchSize) void run();
      else arm();
    },
    async flush() {
      if (sending) await sending;
      await run();
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await this.flush();
    },
    stats: () => ({ queued: queue.length, ...counts }),
  };
}
