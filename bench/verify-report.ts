/** One line of a benchmark's printed table. */
export interface BenchRow {
  label: string;
  value: number;
  unit: string;
  /** Ratio against the row's baseline (e.g. 0.82 = 82 % of bare node:http). */
  ratio?: number;
  note?: string;
}

/** What each bench module returns to `bench/run.ts`. */
export interface BenchReport {
  name: string;
  rows: BenchRow[];
  notes: string[];
  /** Raw figures for the JSON file. */
  details?: Record<string, unknown>;
}

/** Durations and sizes, from environment variables so a quick run stays quick. */
export interface BenchSettings {
  /** Seconds of measured HTTP load per target. */
  httpSeconds: number;
  /** Seconds per in-process measurement. */
  cpuSeconds: number;
  /** Revocation samples per store. */
  samples: number;
  /** Store sizes for the scale bench. */
  scaleSizes: number[];
}

/**
 * Settings from `BENCH_HTTP_SECONDS`, `BENCH_CPU_SECONDS`, `BENCH_SAMPLES`, `BENCH_SCALE`.
 * @example const settings = benchSettings(); // { httpSeconds: 5, … }
 */
export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const num = (key: string, fallback: number): number => {
    const value = Number(env[key]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    httpSeconds: num('BENCH_HTTP_SECONDS', 5),
    cpuSeconds: num('BENCH_CPU_SECONDS', 1.5),
    samples: num('BENCH_SAMPLES', 60),
    scaleSizes: (env.BENCH_SCALE ?? '10000,100000,1000000').split(',').map(Number),
  };
}

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Runs `fn` repeatedly for about `seconds` and returns operations per second.
 * `fn` runs `batch` operations per call so the timer is read rarely.
 */
export async function opsPerSecond(
  fn: () => Promise<void> | void,
  batch: number,
  seconds: number,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let ops = 0;
  while (performance.now() < deadline) {
    await fn();
    ops += batch;
  }
  return ops / ((performance.now() - started) / 1000);
}

/** Formats a number for the table: 1 234 567 → "1.23M". */
export function human(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(2);
}
