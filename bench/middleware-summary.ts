import { availableParallelism } from 'node:os';
import type { VerifierStats } from '@gatehouse/sdk';
import type { LoadRun } from './load-worker.js';
import { FRAMEWORKS } from './middleware-apps.js';

/**
 * One app's measured rounds. `appCpu`: this process's CPU (app + idle Gatehouse) in cores;
 * `cpuUsPerRequest`: that CPU time divided by the 2xx answers.
 */
export type TargetRuns = Array<LoadRun & { appCpu: number; cpuUsPerRequest: number }>;

/** Protected throughput must reach this share of the bare app's (issue 5). */
export const TARGET_RATIO = 0.9;
/** A load generator above this many cores' worth of CPU was the bottleneck, not the app. */
const SATURATED_CPU = 0.9;

interface Summary {
  runs: Map<string, TargetRuns>;
  verifierStats: Record<string, VerifierStats>;
  tool: string;
  /** 1-minute load average before and after the run: other work on the machine skews figures. */
  loadAverage: number[];
}

/**
 * Turns the raw rounds into the runner's report shape (`rows` for the table, `notes`, `details`):
 * means over rounds, protected/bare ratio per framework and per round, load-generator saturation.
 * @example const report = summarize({ runs, verifierStats, tool: 'autocannon …' });
 */
export function summarize({
  runs,
  verifierStats,
  tool,
  loadAverage,
}: Summary): Record<string, unknown> {
  const frameworks: Record<string, unknown> = {};
  const rows: Array<Record<string, unknown>> = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let loadCpuMax = 0;
  let appCpuMin = Number.POSITIVE_INFINITY;
  for (const framework of FRAMEWORKS) {
    const bareRuns = runs.get(`${framework}/bare`) ?? [];
    const guardedRuns = runs.get(`${framework}/protected`) ?? [];
    const bare = aggregate(bareRuns);
    const guarded = aggregate(guardedRuns);
    const ratio = round(guarded.reqPerSec / bare.reqPerSec, 3);
    ratios.push(ratio);
    // What the middleware costs per request in CPU, and the throughput ratio a CPU-bound app
    // on an otherwise idle core would show: robust to other work competing for the machine.
    const addedCpuUs = round(guarded.cpuUsPerRequest - bare.cpuUsPerRequest, 1);
    const cpuRatio = round(bare.cpuUsPerRequest / guarded.cpuUsPerRequest, 3);
    cpuRatios.push(cpuRatio);
    loadCpuMax = Math.max(loadCpuMax, bare.loadCpuMax, guarded.loadCpuMax);
    appCpuMin = Math.min(appCpuMin, bare.appCpu, guarded.appCpu);
    const stats = verifierStats[framework];
    frameworks[framework] = {
      bare,
      protected: guarded,
      ratio,
      addedCpuUsPerRequest: addedCpuUs,
      cpuRatio,
      ratioPerRound: bareRuns.map((b, i) => round(guardedRuns[i]!.reqPerSec / b.reqPerSec, 3)),
      verifier: stats && { hits: stats.hits, misses: stats.misses, connected: stats.connected },
    };
    rows.push(
      { label: `${framework} bare`, value: bare.reqPerSec, unit: 'req/s', note: latency(bare) },
      {
        label: `${framework} + gatehouse`,
        value: guarded.reqPerSec,
        unit: 'req/s',
        ratio,
        note: `${latency(guarded)}; verifier ${stats?.misses ?? '?'} miss / ${stats?.hits ?? '?'} hits`,
      },
      {
        label: `${framework} CPU per request`,
        value: guarded.cpuUsPerRequest,
        unit: 'µs',
        ratio: cpuRatio,
        note: `bare ${bare.cpuUsPerRequest} µs, +${addedCpuUs} µs with the middleware; ratio = bare/protected`,
      },
    );
  }
  const saturated = loadCpuMax >= SATURATED_CPU;
  const meetsTarget = ratios.every((r) => r >= TARGET_RATIO);
  const meetsTargetByCpu = cpuRatios.every((r) => r >= TARGET_RATIO);
  const notes = [
    `target: protected ≥ ${TARGET_RATIO}× bare req/s per framework — ${meetsTarget ? 'met' : 'NOT met'} (${ratios.join(', ')})`,
    `by CPU per request (bare/protected, contention-robust): ${cpuRatios.join(', ')} — ${meetsTargetByCpu ? 'met' : 'NOT met'}`,
    bottleneck(loadCpuMax, appCpuMin),
    `machine load average (1 min) before/after: ${loadAverage.map((l) => round(l, 2)).join(' / ')} on ${availableParallelism()} CPUs`,
    'latencies are autocannon histogram values (whole milliseconds) under 32 connections, not per-request verify cost',
  ];
  return {
    name: 'middleware',
    rows,
    notes,
    details: {
      tool,
      frameworks,
      target: TARGET_RATIO,
      meetsTarget,
      meetsTargetByCpu,
      loadGenerator: { maxCpuCores: round(loadCpuMax, 2), saturated },
      appProcessMinCpuCores: round(appCpuMin, 2),
      loadAverage,
    },
  };
}

function aggregate(list: TargetRuns) {
  const mean = (pick: (run: TargetRuns[number]) => number): number =>
    list.reduce((sum, run) => sum + pick(run), 0) / list.length;
  const requests = list.reduce((sum, run) => sum + run.requests, 0);
  const cpuUs = list.reduce((sum, run) => sum + run.cpuUsPerRequest * run.requests, 0);
  return {
    reqPerSec: Math.round(mean((r) => r.reqPerSec)),
    p50Ms: round(
      mean((r) => r.p50Ms),
      2,
    ),
    p99Ms: round(
      mean((r) => r.p99Ms),
      2,
    ),
    meanMs: round(
      mean((r) => r.meanMs),
      3,
    ),
    reqPerSecPerRound: list.map((r) => Math.round(r.reqPerSec)),
    loadCpuMax: round(Math.max(...list.map((r) => r.loadCpu)), 2),
    appCpu: round(
      mean((r) => r.appCpu),
      2,
    ),
    /** Pooled over rounds: total CPU time over total answers. */
    cpuUsPerRequest: round(cpuUs / requests, 1),
  };
}

/** Which side limited throughput: only an app using a full core gives a meaningful ratio. */
function bottleneck(loadCpuMax: number, appCpuMin: number): string {
  const load = `load generator max ${round(loadCpuMax, 2)} cores`;
  const app = `app process min ${round(appCpuMin, 2)} cores`;
  if (loadCpuMax >= SATURATED_CPU)
    return `load generator SATURATED its core (${load}, ${app}): apps may be faster than measured and ratios are compressed toward 1`;
  if (appCpuMin >= SATURATED_CPU)
    return `load generator not saturated (${load}); the app was the bottleneck (${app})`;
  return `neither the load generator nor the app used a full core (${load}, ${app}): other work on the machine was competing, treat the figures as noisy`;
}

function latency(figures: { p50Ms: number; p99Ms: number }): string {
  return `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
