import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, as `npm start` and the `gatehouse` bin run it. */
export const CLI_PATH = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gatehouse ARGS…` to completion with only the environment given (plus PATH), so a
 * developer's own GATEHOUSE_TOKEN never leaks into a test.
 * @example const { code, stdout } = await runCli(['token', 'list', '--json'], { GATEHOUSE_URL: url, GATEHOUSE_TOKEN: t });
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A `gatehouse` process that keeps running (serve, audit tail), with its output so far. */
export interface LiveCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match of `pattern` in stdout (or stderr with `stream: 'stderr'`). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `gatehouse ARGS…` in the background.
 * @example const serve = startCli(['serve', '--port', '0', '--data', dir]); await serve.waitFor(/listening on (\S+)/);
 */
export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; command?: string[] } = {},
): LiveCli {
  const child = spawn(process.execPath, [...(options.command ?? [CLI_PATH]), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout?.on('data', (chunk) => {
    out.stdout += chunk;
    wake();
  });
  child.stderr?.on('data', (chunk) => {
    out.stderr += chunk;
    wake();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      wake();
      resolve(code);
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    exited,
    waitFor(pattern, stream = 'stdout') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out[stream].match(pattern);
          if (match) return resolve(match);
          if (done)
            return reject(
              new Error(`process exited before ${pattern}: ${out.stdout}\n${out.stderr}`),
            );
          waiters.push(check);
        };
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}
