import type { ServerResponse } from 'node:http';
import { changesAfter } from '../store/changes-repo.js';
import type { Store } from '../store/store.js';
import { toChangeJson } from './change-json.js';
import type { ChangeFeedHub } from './verify-runtime.js';

export interface SseSubscriptionOptions {
  feed: ChangeFeedHub;
  store: Store;
  res: ServerResponse;
  subscriberId: string;
  /** Changes with a larger seq are sent (the client's Last-Event-ID, or the feed's end). */
  after: number;
  /** `: ping` comment interval. Default 15 000 ms. */
  pingMs?: number;
  /** A client this far behind (bytes buffered) is cut off; it resumes with Last-Event-ID. */
  maxBufferedBytes?: number;
}

/**
 * One SSE client: writes `hello`, replays everything after its resume point (from memory when the
 * tailer still holds it, else from the store), then every change this process applies, in order
 * and without duplicates, plus `: ping` heartbeats.
 * @example const sub = new SseSubscription({ feed, store, res, subscriberId, after }); sub.start();
 */
export class SseSubscription {
  private sent: number;
  private pumping = false;
  private again = false;
  private closed = false;
  private ping: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: SseSubscriptionOptions) {
    this.sent = options.after;
  }

  start(onClose: () => void): void {
    const { res, feed } = this.options;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const hello = { subscriberId: this.options.subscriberId, seq: this.sent };
    res.write(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    // setImmediate: the tailer adds a change to its memory right after the listeners ran.
    this.unsubscribe = feed.onChange(() => {
      setImmediate(() => void this.pump());
    });
    this.ping = setInterval(() => res.write(': ping\n\n'), this.options.pingMs ?? 15_000);
    this.ping.unref();
    res.on('close', () => {
      this.stop();
      onClose();
    });
    void this.pump();
  }

  /** Ends the stream (server shutdown). */
  end(): void {
    this.stop();
    this.options.res.end();
  }

  private stop(): void {
    this.closed = true;
    clearInterval(this.ping);
    this.unsubscribe?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const { feed, store, res } = this.options;
        const batch =
          feed.tailer.recent(this.sent) ?? (await changesAfter(store.db, this.sent, 500));
        if (this.closed) return;
        for (const change of batch) {
          if (change.seq <= this.sent) continue;
          res.write(
            `id: ${change.seq}\nevent: change\ndata: ${JSON.stringify(toChangeJson(change))}\n\n`,
          );
          this.sent = change.seq;
        }
        if (res.writableLength > (this.options.maxBufferedBytes ?? 4 * 1024 * 1024)) {
          res.destroy();
          return;
        }
        if (batch.length >= 500) this.again = true;
      } while (this.again && !this.closed);
    } catch {
      // A failed backlog read: drop the connection; the client resumes with Last-Event-ID.
      this.options.res.destroy();
    } finally {
      this.pumping = false;
    }
  }
}
