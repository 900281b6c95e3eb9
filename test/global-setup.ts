import { execFileSync } from 'node:child_process';

/**
 * Tests that spawn `gatehouse` as a real process run the compiled CLI, so make sure `dist/` is
 * current. `tsc -b` is incremental: a no-op build takes about a second.
 */
export default function setup(): void {
  if (process.env.GATEHOUSE_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { stdio: 'inherit' });
}
