import type { Clock } from '@gatehouse/core';
import type { Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import { type AuditLog, type AuditLogOptions, createAuditLog } from './audit-log.js';
import { registerAuditMetrics } from './audit-metrics.js';
import { startRetention } from './retention.js';
import { systemScheduler } from './scheduler.js';

export interface ServerAuditOptions extends Omit<AuditLogOptions, 'store' | 'clock'> {
  store: Store;
  clock: Clock;
  /** Prometheus registry the queue depth / written / dropped gauges go on. */
  metrics?: Registry;
  /** Delete events older than this (ms); undefined keeps everything. */
  retentionMs?: number | undefined;
  /** How often retention runs. Default hourly. */
  retentionIntervalMs?: number;
}

/**
 * Everything a `serve` process needs for auditing in one call: the log, its metrics and the
 * retention job. `close()` (on SIGTERM, after the HTTP server stopped) stops retention and
 * flushes every queued event.
 * @example
 * const { audit, close } = startServerAudit({ store, clock, nodeId, metrics: registry, retentionMs });
 * ctx.onClose(close);
 */
export function startServerAudit(options: ServerAuditOptions): {
  audit: AuditLog;
  close(): Promise<void>;
} {
  const audit = createAuditLog(options);
  if (options.metrics) registerAuditMetrics(options.metrics, audit);
  const stopRetention =
    options.retentionMs === undefined
      ? () => {}
      : startRetention({
          store: options.store,
          clock: options.clock,
          retentionMs: options.retentionMs,
          scheduler: options.scheduler ?? systemScheduler,
          intervalMs: options.retentionIntervalMs,
          onError: options.onError,
        });
  return {
    audit,
    async close() {
      stopRetention();
      await audit.close();
    },
  };
}
