import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, createVerifier, type RemoteVerifier } from '@gatehouse/sdk';
import { createLogger } from '../src/server/logger.js';
import { type RunningServer, startServer } from '../src/server/runtime.js';
import type { LoadRun } from './load-worker.js';
import {
  BENCH_PATH,
  BENCH_SCOPES,
  FRAMEWORKS,
  type Framework,
  type RunningApp,
  startBenchApp,
} from './middleware-apps.js';
import { summarize, type TargetRuns } from './middleware-summary.js';

export interface MiddlewareBenchOptions {
  /** Measured seconds per app and round (default 4), after a 1 s warm-up per app. */
  durationSeconds?: number;
  /** Interleaved rounds, bare and protected alternating which goes first (default 2). */
  rounds?: number;
  connections?: number;
}

const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url));

/**
 * Middleware verify overhead per request, in one run: for Express, Fastify and Hono the same tiny
 * app twice side by side, bare and behind the Gatehouse middleware whose remote verifier points at
 * a real Gatehouse server (in-process, temp SQLite) with a warm cache and a live change feed.
 * autocannon loads each app from its own process; the report has req/s, p50/p99, protected/bare
 * per framework, and whether the load generator saturated its own core. Target: ≥ 0.9× bare.
 * @example const report = await runMiddlewareBench({ durationSeconds: 3 }); console.log(report.rows);
 */
export async function runMiddlewareBench(
  options: MiddlewareBenchOptions = {},
): Promise<Record<string, unknown>> {
  const seconds = options.durationSeconds ?? 4;
  const rounds = options.rounds ?? 2;
  const connections = options.connections ?? 32;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-middleware-'));
  const verifiers: RemoteVerifier[] = [];
  const apps: RunningApp[] = [];
  let server: RunningServer | undefined;
  const loadBefore = loadavg()[0]!;
  try {
    let root = '';
    server = await startServer({
      port: 0,
      dataDir: dir,
      logger: createLogger({ level: 'silent' }),
      onRootToken: (secret) => {
        root = secret;
      },
    });
    const gh = createClient({ url: server.url, token: root });
    const verifyCredential = await gh.tokens.create({
      api: 'gatehouse',
      name: 'bench-middleware',
      scopes: ['tokens:verify'],
      ttlSeconds: 3600,
    });
    const client = await gh.tokens.create({
      name: 'bench-client',
      subject: 'bench',
      scopes: BENCH_SCOPES,
      ttlSeconds: 3600,
    });
    // Both variants get the same request bytes; the bare app simply ignores the header.
    const headers = { authorization: `Bearer ${client.token}` };

    const targets: Array<{ framework: Framework; kind: 'bare' | 'protected'; url: string }> = [];
    for (const framework of FRAMEWORKS) {
      // One verifier per app, as in a real deployment: its own cache and feed subscription.
      const verifier = createVerifier({
        url: server.url,
        token: verifyCredential.token,
        subscriber: `bench-${framework}`,
      });
      verifiers.push(verifier);
      await verifier.ready();
      const bare = await startBenchApp(framework);
      const guarded = await startBenchApp(framework, verifier);
      apps.push(bare, guarded);
      for (const [kind, app] of [
        ['bare', bare],
        ['protected', guarded],
      ] as const) {
        const res = await fetch(`${app.url}${BENCH_PATH}`, { headers }); // fills the cache
        if (res.status !== 200) throw new Error(`${framework} ${kind} answered ${res.status}`);
        await res.arrayBuffer();
        targets.push({ framework, kind, url: `${app.url}${BENCH_PATH}` });
      }
    }

    const load = (url: string, duration: number) =>
      runLoad({ url, headers, seconds: duration, connections });
    for (const target of targets) await load(target.url, 1); // JIT warm-up, not measured
    const runs = new Map<string, TargetRuns>();
    for (let round = 0; round < rounds; round++) {
      for (const framework of FRAMEWORKS) {
        const pair = targets.filter((t) => t.framework === framework);
        // Alternate who goes first so neither variant always runs on a just-warmed machine.
        if (round % 2 === 1) pair.reverse();
        for (const target of pair) {
          const key = `${framework}/${target.kind}`;
          // This process's CPU while loaded = the app (+ the idle Gatehouse server): CPU time per
          // request stays meaningful even when other work on the machine steals the core.
          const appCpuBefore = process.cpuUsage();
          const run = await load(target.url, seconds);
          const cpu = process.cpuUsage(appCpuBefore);
          const cpuUs = cpu.user + cpu.system;
          const appCpu = cpuUs / 1e6 / run.seconds;
          if (run.non2xx > 0 || run.errors > 0)
            throw new Error(`${key}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
          const list = runs.get(key) ?? [];
          list.push({ ...run, appCpu, cpuUsPerRequest: cpuUs / run.requests });
          runs.set(key, list);
        }
      }
    }
    return summarize({
      runs,
      loadAverage: [loadBefore, loadavg()[0]!],
      verifierStats: Object.fromEntries(FRAMEWORKS.map((f, i) => [f, verifiers[i]!.stats()])),
      tool: `autocannon 9 (programmatic) in its own process, ${connections} connections, GET ${BENCH_PATH}; ${rounds} interleaved rounds of ${seconds} s per app after a 1 s warm-up; apps and the Gatehouse server share this process, ${availableParallelism()} CPUs, node ${process.version}`,
    });
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(verifiers.map((v) => v.close()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runLoad(args: {
  url: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
}): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(text) as LoadRun);
    });
  });
}
