import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchReport, type BenchSettings, benchSettings, human } from './verify-report.js';

/** One bench module: a name and how to run it. Others' modules return their own shapes. */
interface BenchEntry {
  name: string;
  run(settings: BenchSettings): Promise<BenchReport | object>;
}

const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));

/** Imports a bench module another engineer owns, if it exists in this build. */
async function optional(file: string, exported: string): Promise<BenchEntry['run'] | undefined> {
  try {
    const module = (await import(file)) as Record<string, unknown>;
    const fn = module[exported];
    if (typeof fn !== 'function') return undefined;
    // Their options take `durationSeconds`; pass our HTTP duration so the whole run stays short.
    return (settings) =>
      (fn as (options: { durationSeconds: number }) => Promise<object>)({
        durationSeconds: settings.httpSeconds,
      });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function entries(): Promise<BenchEntry[]> {
  const list: BenchEntry[] = [
    {
      name: 'verify-inprocess',
      run: async (s) => (await import('./verify-inprocess.js')).runVerifyInProcessBench(s),
    },
    {
      name: 'verify-http',
      run: async (s) => (await import('./verify-http.js')).runVerifyHttpBench(s),
    },
    {
      name: 'verify-propagation',
      run: async (s) => (await import('./verify-propagation.js')).runPropagationBench(s),
    },
    {
      name: 'verify-scale',
      run: async (s) => (await import('./verify-scale.js')).runVerifyScaleBench(s),
    },
  ];
  for (const [name, file, exported] of [
    ['audit', './audit.js', 'runAuditBench'],
    ['proxy', './proxy.js', 'runProxyBench'],
    ['middleware', './middleware.js', 'runMiddlewareBench'],
  ] as const) {
    const run = await optional(file, exported);
    if (run) list.push({ name, run });
    else console.log(`(skipping ${name}: bench/${name}.ts is not there yet)`);
  }
  return list;
}

function print(name: string, report: BenchReport | object): void {
  console.log(`\n== ${name}`);
  if ('rows' in report && Array.isArray(report.rows)) {
    const rep = report as BenchReport;
    const width = Math.max(...rep.rows.map((r) => r.label.length));
    for (const row of rep.rows) {
      const ratio = row.ratio === undefined ? '' : `  ${row.ratio.toFixed(2)}×`;
      console.log(
        `  ${row.label.padEnd(width)}  ${human(row.value).padStart(9)} ${row.unit.padEnd(6)}${ratio}${row.note ? `  (${row.note})` : ''}`,
      );
    }
    for (const note of rep.notes) console.log(`  note: ${note}`);
  } else console.log(JSON.stringify(report, null, 2));
}

/**
 * `npm run bench`: every bench module, one after the other in one run (so ratios compare figures
 * taken on the same machine minutes apart), a table on stdout and `bench/results/<name>.json`.
 * `BENCH_ONLY=verify-http,proxy` runs a subset.
 * @example BENCH_HTTP_SECONDS=3 npm run bench
 */
async function main(): Promise<void> {
  const settings = benchSettings();
  const only = process.env.BENCH_ONLY?.split(',');
  mkdirSync(resultsDir, { recursive: true });
  console.log(`gatehouse bench: node ${process.version}, settings ${JSON.stringify(settings)}`);
  for (const entry of await entries()) {
    if (only && !only.includes(entry.name)) continue;
    const started = performance.now();
    try {
      const report = await entry.run(settings);
      print(entry.name, report);
      const out = {
        name: entry.name,
        at: new Date().toISOString(),
        node: process.version,
        settings,
        report,
      };
      writeFileSync(`${resultsDir}${entry.name}.json`, `${JSON.stringify(out, null, 2)}\n`);
    } catch (error) {
      console.log(`\n== ${entry.name}: FAILED ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    }
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

await main();
