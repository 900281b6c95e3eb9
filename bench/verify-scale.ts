import { rmSync } from 'node:fs';
import { tokenFixture } from './verify-fixtures.js';
import {
  type BenchReport,
  type BenchRow,
  type BenchSettings,
  opsPerSecond,
} from './verify-report.js';
import { startVerifyRuntime } from './verify-runtime-fixture.js';

/**
 * Verify throughput as the store grows (10 k, 100 k, 1 M tokens on SQLite): a 10 000-token
 * working set verified cached, and uncached (one indexed read each: a one-entry cache, round robin), so
 * index depth shows up in the uncached figure. Target: 1 M ≥ 0.9× the 10 k throughput.
 * @example const report = await runVerifyScaleBench(benchSettings());
 */
export async function runVerifyScaleBench(settings: BenchSettings): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const details: Record<string, unknown> = {};
  let base: { cached: number; uncached: number } | undefined;
  for (const size of settings.scaleSizes) {
    const started = performance.now();
    const fx = await tokenFixture({ count: size, secrets: Math.min(size, 10_000) });
    const insertSeconds = (performance.now() - started) / 1000;
    const rt = await startVerifyRuntime(fx.store);
    try {
      const working = fx.secrets;
      for (const s of working) await rt.verifier.verify(s);
      const cached = await opsPerSecond(
        async () => {
          for (const s of working) await rt.verifier.verify(s);
        },
        working.length,
        settings.cpuSeconds,
      );
      // Spread uncached reads over the whole key space of the working set.
      const sample = working.filter((_, i) => i % 10 === 0);
      const cold = await startVerifyRuntime(fx.store, { maxEntries: 1, maxNegative: 1 });
      const uncached = await opsPerSecond(
        async () => {
          for (const s of sample) await cold.verifier.verify(s);
        },
        sample.length,
        settings.cpuSeconds,
      );
      await cold.close();
      base ??= { cached, uncached };
      const label = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
      rows.push({
        label: `${label} tokens, cached`,
        value: cached,
        unit: 'ops/s',
        ratio: cached / base.cached,
      });
      rows.push({
        label: `${label} tokens, uncached`,
        value: uncached,
        unit: 'ops/s',
        ratio: uncached / base.uncached,
      });
      details[label] = { cached, uncached, insertSeconds };
    } finally {
      await rt.close();
      await fx.store.close();
      rmSync(fx.dir, { recursive: true, force: true });
    }
  }
  return {
    name: 'verify-scale',
    rows,
    notes: [
      `SQLite, bulk insert through the store; ratios against the smallest size; ${settings.cpuSeconds} s per figure`,
      `insert seconds: ${JSON.stringify(Object.fromEntries(Object.entries(details).map(([k, v]) => [k, Number((v as { insertSeconds: number }).insertSeconds.toFixed(1))])))}`,
    ],
    details,
  };
}
