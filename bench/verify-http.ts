import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { betterAuthTarget } from './verify-better-auth.js';
import {
  bareNodeTarget,
  fastifyTarget,
  gatehouseTarget,
  type HttpTarget,
} from './verify-http-targets.js';
import type { BenchReport, BenchRow, BenchSettings } from './verify-report.js';

interface LoadFigures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  loadCpu: number;
}

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./verify-load-worker.js', import.meta.url));

async function load(target: HttpTarget, seconds: number): Promise<LoadFigures> {
  const args = { url: target.url, body: target.body, headers: target.headers, connections: 32 };
  // Warm-up (JIT, caches), then the measured run; both from a separate process.
  await run(process.execPath, [worker, JSON.stringify({ ...args, seconds: 1 })]);
  const { stdout } = await run(process.execPath, [worker, JSON.stringify({ ...args, seconds })]);
  return JSON.parse(stdout) as LoadFigures;
}

/**
 * HTTP verify side by side: bare node:http (the floor), a minimal fastify route, Gatehouse's
 * `POST /v1/verify` (cached token, management auth, audit sink as configured), and better-auth's
 * api-key plugin. autocannon, 32 connections, in its own process; its CPU use is reported so a
 * saturated load generator is visible.
 * @example const report = await runVerifyHttpBench(benchSettings());
 */
export async function runVerifyHttpBench(settings: BenchSettings): Promise<BenchReport> {
  const makers: Array<[string, () => Promise<HttpTarget>]> = [
    ['bare', bareNodeTarget],
    ['fastify', fastifyTarget],
    ['gatehouse', gatehouseTarget],
    ['better-auth', betterAuthTarget],
  ];
  const figures: Record<string, LoadFigures & { name: string }> = {};
  const notes: string[] = [];
  for (const [key, make] of makers) {
    let target: HttpTarget;
    try {
      target = await make();
    } catch (error) {
      notes.push(`${key} could not start: ${(error as Error).message}`);
      continue;
    }
    try {
      figures[key] = { name: target.name, ...(await load(target, settings.httpSeconds)) };
    } finally {
      await target.close();
    }
  }
  const bare = figures.bare?.reqPerSec ?? Number.NaN;
  const gatehouse = figures.gatehouse?.reqPerSec ?? Number.NaN;
  const rows: BenchRow[] = Object.entries(figures).map(([key, f]) => ({
    label: f.name,
    value: f.reqPerSec,
    unit: 'req/s',
    ratio: f.reqPerSec / bare,
    note: `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, load-gen CPU ${(f.loadCpu * 100).toFixed(0)} %${f.non2xx || f.errors ? `, non2xx ${f.non2xx}, errors ${f.errors}` : ''}${key === 'gatehouse' ? ', target ≥ 0.8× bare' : ''}`,
  }));
  if (figures['better-auth'])
    rows.push({
      label: 'gatehouse / better-auth',
      value: gatehouse / figures['better-auth'].reqPerSec,
      unit: '×',
      note: 'target ≥ 25×',
    });
  const saturated = Object.values(figures).filter((f) => f.loadCpu > 0.9);
  notes.push(
    `autocannon (programmatic, own process), 32 connections, ${settings.httpSeconds} s after a 1 s warm-up; ratios against bare node:http`,
    saturated.length > 0
      ? `load generator near one full core (>90 %) for: ${saturated.map((f) => f.name).join(', ')} — those figures are bounded by autocannon, not the server`
      : 'load generator stayed below 90 % of a core for every target',
  );
  return { name: 'verify-http', rows, notes, details: figures };
}
