import { createRequire } from 'node:module';

/** The slice of autocannon's API used here (the package ships no type declarations). */
type Autocannon = (options: {
  url: string;
  method: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * The load generator, run in its own process by `verify-http.ts` so it never shares a core with
 * the server under test. Argument: JSON `{url, body, headers, seconds, connections}`. Prints one
 * JSON line with the figures and this process's own CPU use (1.0 = one full core: saturated).
 */
interface LoadArgs {
  url: string;
  body: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await autocannon({
  url: args.url,
  method: 'POST',
  body: args.body,
  headers: { 'content-type': 'application/json', ...args.headers },
  connections: args.connections,
  duration: args.seconds,
  pipelining: 1,
});
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    loadCpu: (cpu.user + cpu.system) / 1000 / wallMs,
  })}\n`,
);
