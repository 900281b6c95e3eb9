import type { TokenVerifier, VerifyOptions, VerifyResult } from '@gatehouse/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

/** The server's own Prometheus metrics. Feature modules register theirs on the same registry. */
export interface ServerMetrics {
  verifications: Counter<'result'>;
  verifyLatency: Histogram<'result'>;
  /** Registers a gauge whose value is read at scrape time (queue depths, cache ratios, …). */
  gauge(name: string, help: string, read: () => number): void;
}

/**
 * Creates the core metric set on `registry`, plus Node's default process metrics.
 * @example const metrics = createServerMetrics(new Registry());
 */
export function createServerMetrics(registry: Registry): ServerMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_process_' });
  return {
    verifications: new Counter({
      name: 'gatehouse_verifications_total',
      help: 'Token verifications by result (VALID or a verify code)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    verifyLatency: new Histogram({
      name: 'gatehouse_verify_duration_seconds',
      help: 'Time to decide a verification, in-process (excludes HTTP)',
      labelNames: ['result'] as const,
      buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
      registers: [registry],
    }),
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
  };
}

/**
 * Wraps a verifier so every verification, whoever asks (routes, proxy, forward auth), is counted
 * and timed. One `performance.now()` pair and a counter increment: negligible next to a hash.
 */
export function instrumentVerifier<V extends TokenVerifier>(
  verifier: V,
  metrics: ServerMetrics,
): V {
  const verify = verifier.verify.bind(verifier);
  // Label children resolved once per result: prom-client hashes a label object on every call.
  const children = new Map<
    string,
    { count: Counter.Internal; latency: Histogram.Internal<'result'> }
  >();
  const childFor = (label: string) => {
    let child = children.get(label);
    if (!child) {
      child = {
        count: metrics.verifications.labels(label),
        latency: metrics.verifyLatency.labels(label),
      };
      children.set(label, child);
    }
    return child;
  };
  const wrapped = Object.create(verifier) as V;
  wrapped.verify = async (token: string, options?: VerifyOptions): Promise<VerifyResult> => {
    const started = performance.now();
    const result = await verify(token, options);
    const child = childFor(result.valid ? 'VALID' : result.code);
    child.count.inc();
    child.latency.observe((performance.now() - started) / 1000);
    return result;
  };
  return wrapped;
}
