import { Gauge, type Registry } from 'prom-client';
import type { AuditLog } from './audit-log.js';

/**
 * Exposes the audit log's counters on a Prometheus registry (read at scrape time, so the hot
 * path pays nothing): `gatehouse_audit_queue_depth`, `gatehouse_audit_queue_capacity`,
 * `gatehouse_audit_events_written_total`, `gatehouse_audit_events_dropped_total`,
 * `gatehouse_audit_write_failures_total`.
 * @example registerAuditMetrics(ctx.metrics, audit);
 */
export function registerAuditMetrics(registry: Registry, audit: Pick<AuditLog, 'stats'>): void {
  const gauges: Array<[string, string, (stats: ReturnType<AuditLog['stats']>) => number]> = [
    [
      'gatehouse_audit_queue_depth',
      'Usage audit events waiting to be written',
      (s) => s.queueDepth,
    ],
    ['gatehouse_audit_queue_capacity', 'Usage audit queue bound', (s) => s.capacity],
    [
      'gatehouse_audit_events_written_total',
      'Audit events written (batched usage + in-transaction management)',
      (s) => s.written + s.recordedInTransaction,
    ],
    [
      'gatehouse_audit_events_dropped_total',
      'Usage audit events dropped because the queue was full',
      (s) => s.dropped,
    ],
    [
      'gatehouse_audit_write_failures_total',
      'Usage audit batch writes that failed (kept and retried)',
      (s) => s.failedWrites,
    ],
  ];
  for (const [name, help, read] of gauges) {
    // Monotonic values exposed as gauges set at collect time: prom-client counters cannot be set.
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(audit.stats()));
      },
    });
  }
}
