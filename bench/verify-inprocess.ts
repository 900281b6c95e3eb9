import { hash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { hashToken } from '@gatehouse/core';
import { tokenFixture } from './verify-fixtures.js';
import { type BenchReport, type BenchSettings, opsPerSecond } from './verify-report.js';
import { startVerifyRuntime } from './verify-runtime-fixture.js';

/**
 * In-process verification against the floor: `crypto.hash('sha256')` one-shot + `Map.get` over
 * the same 10 000 tokens. Cached (warm cache), uncached (one-entry cache, round robin: one SQLite
 * read each), and a bad-checksum token (rejected before hashing).
 * @example const report = await runVerifyInProcessBench(benchSettings());
 */
export async function runVerifyInProcessBench(settings: BenchSettings): Promise<BenchReport> {
  const fx = await tokenFixture({ count: 10_000, secrets: 10_000 });
  const rt = await startVerifyRuntime(fx.store);
  try {
    const { secrets } = fx;
    const map = new Map(secrets.map((s, i) => [hashToken(s), { id: i }]));
    let sink = 0;
    const limit = await opsPerSecond(
      () => {
        for (const s of secrets) if (map.get(hash('sha256', s, 'hex'))) sink += 1;
      },
      secrets.length,
      settings.cpuSeconds,
    );
    for (const s of secrets) await rt.verifier.verify(s);
    const cached = await opsPerSecond(
      async () => {
        for (const s of secrets) if ((await rt.verifier.verify(s)).valid) sink += 1;
      },
      secrets.length,
      settings.cpuSeconds,
    );
    // A one-entry cache and round-robin tokens: every verify is a miss and one SQLite read.
    const sample = secrets.slice(0, 1000);
    const cold = await startVerifyRuntime(fx.store, { maxEntries: 1, maxNegative: 1 });
    const uncached = await opsPerSecond(
      async () => {
        for (const s of sample) if ((await cold.verifier.verify(s)).valid) sink += 1;
      },
      sample.length,
      settings.cpuSeconds,
    );
    await cold.close();
    const forged = sample.map((s) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`);
    const malformed = await opsPerSecond(
      async () => {
        for (const s of forged) if (!(await rt.verifier.verify(s)).valid) sink += 1;
      },
      forged.length,
      settings.cpuSeconds,
    );
    return {
      name: 'verify-inprocess',
      rows: [
        { label: 'limit: crypto.hash + Map.get', value: limit, unit: 'ops/s', ratio: 1 },
        {
          label: 'verify, cached',
          value: cached,
          unit: 'ops/s',
          ratio: cached / limit,
          note: 'target ≥ 0.7×',
        },
        {
          label: 'verify, uncached (SQLite read)',
          value: uncached,
          unit: 'ops/s',
          ratio: uncached / limit,
        },
        {
          label: 'verify, bad checksum',
          value: malformed,
          unit: 'ops/s',
          ratio: malformed / limit,
        },
      ],
      notes: [
        `10 000 tokens, ${settings.cpuSeconds} s per measurement, audit sink off (checksum ${sink > 0})`,
      ],
    };
  } finally {
    await rt.close();
    await fx.store.close();
    rmSync(fx.dir, { recursive: true, force: true });
  }
}
