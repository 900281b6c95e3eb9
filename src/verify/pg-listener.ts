import pg from 'pg';
import { CHANGES_CHANNEL } from '../store/changes-repo.js';

export interface PgListenerOptions {
  connectionString: string;
  /** Called on every NOTIFY and after every (re)connect, so the caller catches up by seq. */
  onWake(): void;
  onError?(error: unknown): void;
  /** Reconnect backoff bounds in ms. Default 50 → 2 000. */
  reconnectDelayMs?: { min: number; max: number };
}

/**
 * A dedicated PostgreSQL connection that LISTENs on the change channel. NOTIFY is only a wake-up
 * hint: the caller always reads the feed by seq, so a notification lost while the connection was
 * down costs nothing but latency (a wake is fired after each reconnect).
 * @example const l = new PgListener({ connectionString, onWake: () => tailer.catchUp() }); await l.start();
 */
export class PgListener {
  private client: pg.Client | undefined;
  private closed = false;
  private delay: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PgListenerOptions) {
    this.delay = options.reconnectDelayMs?.min ?? 50;
  }

  /** Connects once; later failures reconnect in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL) this.options.onWake();
    });
    const lost = (error?: unknown): void => {
      if (this.client !== client) return;
      this.client = undefined;
      if (error) this.options.onError?.(error);
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    this.delay = this.options.reconnectDelayMs?.min ?? 50;
    // Anything committed while we were not listening is found by the caller's catch-up read.
    this.options.onWake();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const max = this.options.reconnectDelayMs?.max ?? 2_000;
    this.timer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.options.onError?.(error);
        this.delay = Math.min(max, this.delay * 2);
        this.scheduleReconnect();
      });
    }, this.delay);
    this.timer.unref();
  }

  /** Test hook: drops the connection as a network failure would. */
  dropConnection(): void {
    const client = this.client;
    if (client) client.emit('error', new Error('connection dropped (test)'));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
