/**
 * Child process for bench/proxy.ts: sends sequential requests over one keep-alive connection to
 * each URL in turn (interleaved rounds, so drift hits every target alike) and prints the median
 * and p99 round-trip in milliseconds with microsecond resolution — autocannon's histogram only
 * has whole milliseconds, too coarse for a 0.3 ms budget.
 * argv: JSON `{ targets: {name: url}, headers: {name: {header: value}}, rounds, perRound }`.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';

interface ProbeConfig {
  targets: Record<string, string>;
  headers: Record<string, Record<string, string>>;
  rounds: number;
  perRound: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ProbeConfig;
const names = Object.keys(config.targets);
const clients = new Map(names.map((n) => [n, new Client(new URL(config.targets[n]!).origin)]));
const samples = new Map<string, number[]>(names.map((n) => [n, []]));

async function once(name: string): Promise<number> {
  const url = new URL(config.targets[name]!);
  const started = performance.now();
  const res = await clients.get(name)!.request({
    path: url.pathname + url.search,
    method: 'GET',
    headers: config.headers[name] ?? {},
  });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}`);
  return performance.now() - started;
}

for (const name of names) for (let i = 0; i < 300; i++) await once(name); // warm-up
for (let round = 0; round < config.rounds; round++) {
  for (const name of names) {
    for (let i = 0; i < config.perRound; i++) samples.get(name)!.push(await once(name));
  }
}
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const result = Object.fromEntries(
  names.map((n) => {
    const v = samples.get(n)!;
    return [n, { p50Ms: quantile(v, 0.5), p99Ms: quantile(v, 0.99), samples: v.length }];
  }),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
for (const client of clients.values()) await client.close();
