/**
 * The load generator of the HTTP benches, run in its own process so it never shares an event loop
 * with the server under test:
 * `node load-worker.js '{"url","method"?,"body"?,"headers","seconds","connections"}'` (a body is
 * sent as JSON).
 * Prints one JSON line: throughput, latency and this process's own CPU use (1.0 = one full core,
 * i.e. the load generator itself was the bottleneck).
 */
import { createRequire } from 'node:module';

/** The slice of autocannon's API used here (the package ships no type declarations). */
type Autocannon = (options: {
  url: string;
  method: string;
  body?: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<{
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number; average: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** What one load run reports (latencies from autocannon's histogram: whole milliseconds). */
export interface LoadRun {
  /** 2xx answers received, and the measured seconds they took. */
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  non2xx: number;
  errors: number;
  /** CPU used by the load generator process, in cores. */
  loadCpu: number;
}

interface LoadArgs {
  url: string;
  method?: string;
  body?: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await autocannon({
  url: args.url,
  method: args.method ?? 'GET',
  ...(args.body === undefined
    ? { headers: args.headers }
    : { body: args.body, headers: { 'content-type': 'application/json', ...args.headers } }),
  connections: args.connections,
  duration: args.seconds,
  pipelining: 1,
});
const cpu = process.cpuUsage(cpuBefore);
const run: LoadRun = {
  requests: result['2xx'],
  seconds: result.duration,
  // Completed 2xx answers over the measured time: a denying app must not look fast.
  reqPerSec: result['2xx'] / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  meanMs: result.latency.average,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  loadCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - started),
};
process.stdout.write(`${JSON.stringify(run)}\n`);
