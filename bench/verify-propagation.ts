import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase, postgresAvailable } from '../test/services.js';
import {
  type BenchReport,
  type BenchRow,
  type BenchSettings,
  percentile,
} from './verify-report.js';

const nodeScript = fileURLToPath(new URL('./verify-node.js', import.meta.url));

interface Node {
  url: string;
  rootToken: string;
  child: ChildProcess;
}

function startNode(storeOptions: object): Promise<Node> {
  const child = fork(nodeScript, [JSON.stringify(storeOptions)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ ...(m as { url: string; rootToken: string }), child }));
    child.once('exit', (code) => reject(new Error(`server process exited (${code})`)));
  });
}

async function stopNode(node: Node): Promise<void> {
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.send('stop');
  await exited;
}

async function post(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Revoke on A, poll verify on B until it says REVOKED; ms from sending the revoke. */
async function measure(
  storeOptions: object,
  samples: number,
): Promise<{ lags: number[]; revokeMs: number[] }> {
  const a = await startNode(storeOptions);
  const b = await startNode(storeOptions);
  const token = a.rootToken;
  const lags: number[] = [];
  const revokeMs: number[] = [];
  try {
    for (let i = 0; i < samples + 5; i += 1) {
      const created = await post(`${a.url}/v1/tokens`, token, { name: `p${i}`, scopes: ['x:y'] });
      const secret = created.token as string;
      // Until B has applied the creation its negative cache may say NOT_FOUND: wait for valid.
      while (!(await post(`${b.url}/v1/verify`, token, { token: secret })).valid);
      const started = performance.now();
      const revoking = post(`${a.url}/v1/tokens/${created.id as string}/revoke`, token, {}).then(
        () => performance.now() - started,
      );
      while ((await post(`${b.url}/v1/verify`, token, { token: secret })).valid);
      const lag = performance.now() - started;
      const revokeDone = await revoking;
      if (i >= 5) {
        lags.push(lag);
        revokeMs.push(revokeDone);
      }
    }
  } finally {
    await stopNode(b);
    await stopNode(a);
  }
  return { lags, revokeMs };
}

/**
 * Revocation propagation between two server processes: on one SQLite data dir (B polls the feed
 * every 10 ms) and on one PostgreSQL database (B wakes on NOTIFY). Each sample: create on A,
 * make B cache it, revoke on A, poll B over HTTP until it rejects. 5 warm-up samples dropped.
 * @example const report = await runPropagationBench(benchSettings());
 */
export async function runPropagationBench(settings: BenchSettings): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  const notes = [
    `${settings.samples} samples per store; time from sending the revoke to A until B first answers REVOKED (includes A's commit)`,
  ];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-prop-'));
  try {
    const sqlite = await measure({ dataDir: dir }, settings.samples);
    details.sqlite = sqlite;
    rows.push(...summary('SQLite (one data dir)', sqlite));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (await postgresAvailable.catch(() => false)) {
    const database = await createPostgresDatabase();
    try {
      const pg = await measure({ databaseUrl: database.url }, settings.samples);
      details.postgres = pg;
      rows.push(...summary('PostgreSQL (one database)', pg));
    } finally {
      await database.drop();
    }
  } else notes.push('PostgreSQL not reachable on 127.0.0.1:5432: skipped');
  return { name: 'verify-propagation', rows, notes, details };
}

function summary(label: string, m: { lags: number[]; revokeMs: number[] }): BenchRow[] {
  // What B adds after A answered the revoke (0 when B already rejected by then).
  const after = m.lags.map((lag, i) => Math.max(0, lag - (m.revokeMs[i] ?? 0)));
  return [
    {
      label: `${label}: after A's revoke answer → B rejects, p50`,
      value: percentile(after, 50),
      unit: 'ms',
    },
    {
      label: `${label}: after A's revoke answer → B rejects, p99`,
      value: percentile(after, 99),
      unit: 'ms',
    },
    { label: `${label}: revoke → B rejects, p50`, value: percentile(m.lags, 50), unit: 'ms' },
    {
      label: `${label}: revoke → B rejects, p99`,
      value: percentile(m.lags, 99),
      unit: 'ms',
      note: 'target ≤ 50 ms',
    },
    { label: `${label}: revoke call itself, p50`, value: percentile(m.revokeMs, 50), unit: 'ms' },
  ];
}
