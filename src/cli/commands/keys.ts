import type { Command } from 'commander';
import { withClient } from '../connection.js';
import { printJson } from '../output.js';

/** `gatehouse keys rotate`: a new JWT signing key (admin). */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage JWT signing keys');
  keys
    .command('rotate')
    .description(
      'publish a new signing key and sign with it; old keys stay in JWKS until their tokens expire',
    )
    .option('--json', "print the API's JSON answer")
    .action(async (flags: { json?: boolean }) => {
      const rotated = await withClient((gh) => gh.keys.rotate());
      if (flags.json) return printJson(rotated);
      const { kid, alg, retired } = rotated as { kid?: unknown; alg?: unknown; retired?: unknown };
      const old =
        Array.isArray(retired) && retired.length ? `; retiring ${retired.join(', ')}` : '';
      process.stdout.write(`New signing key ${String(kid ?? '?')} (${String(alg ?? '?')})${old}\n`);
    });
}
