import type { UpdateTokenInput } from '@gatehouse/sdk';
import type { Command } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { withClient } from '../connection.js';
import { collectList, collectMetadata, durationSeconds, rateLimit } from '../option-parsers.js';
import { humanSeconds, note, printJson } from '../output.js';
import { printIssued, tokenDetails } from '../token-output.js';

interface UpdateFlags {
  name?: string;
  scope?: string[];
  metadata?: Record<string, string>;
  ip?: string[];
  clearIp?: boolean;
  rateLimit?: { limit: number; windowSeconds: number };
  clearRateLimit?: boolean;
  json?: boolean;
}

/** `token update`, `token revoke`, `token rotate`: the commands that change a token. */
export function registerTokenChanges(token: Command): void {
  token
    .command('update')
    .description("change a token's name, scopes, metadata, IP allowlist or rate limit")
    .argument('<id>', 'token id (tok_…)')
    .option('--name <name>', 'new name')
    .option('--scope <scope>', 'replace the scopes (repeat, or comma-separate)', collectList)
    .option('--metadata <key=value>', 'replace the metadata (repeat)', collectMetadata)
    .option('--ip <cidr>', 'replace the IP allowlist (repeat, or comma-separate)', collectList)
    .option('--clear-ip', 'remove the IP allowlist')
    .option('--rate-limit <limit/window>', 'replace the rate limit, e.g. 100/60s', rateLimit)
    .option('--clear-rate-limit', 'remove the rate limit')
    .option('--json', "print the API's JSON answer")
    .action(async (id: string, flags: UpdateFlags) => {
      if (flags.ip && flags.clearIp) throw new CliError('give --ip or --clear-ip, not both');
      if (flags.rateLimit && flags.clearRateLimit)
        throw new CliError('give --rate-limit or --clear-rate-limit, not both');
      const patch: UpdateTokenInput = {
        ...(flags.name !== undefined && { name: flags.name }),
        ...(flags.scope !== undefined && { scopes: flags.scope }),
        ...(flags.metadata !== undefined && { metadata: flags.metadata }),
        ...(flags.ip !== undefined && { ipAllowlist: flags.ip }),
        ...(flags.clearIp && { ipAllowlist: null }),
        ...(flags.rateLimit !== undefined && { rateLimit: flags.rateLimit }),
        ...(flags.clearRateLimit && { rateLimit: null }),
      };
      if (Object.keys(patch).length === 0)
        throw new CliError(
          'nothing to update: give --name, --scope, --metadata, --ip, --clear-ip, --rate-limit or --clear-rate-limit',
          EXIT.usage,
        );
      const updated = await withClient((gh) => gh.tokens.update(id, patch));
      if (flags.json) return printJson(updated);
      note(`Updated token ${updated.id}`);
      process.stdout.write(tokenDetails(updated));
    });

  token
    .command('revoke')
    .description('revoke a token (idempotent)')
    .argument('<id>', 'token id (tok_…)')
    .option('--reason <text>', 'why, kept in the audit trail')
    .option('--wait', 'return once every live verifier has applied the revocation')
    .option(
      '--wait-timeout <duration>',
      'longest wait with --wait (server default 2s, max 10s)',
      durationSeconds,
    )
    .option('--json', "print the API's JSON answer")
    .action(
      async (
        id: string,
        flags: { reason?: string; wait?: boolean; waitTimeout?: number; json?: boolean },
      ) => {
        const revoked = await withClient((gh) =>
          gh.tokens.revoke(id, {
            ...(flags.reason !== undefined && { reason: flags.reason }),
            ...(flags.wait && { wait: true }),
            ...(flags.waitTimeout !== undefined && { waitMs: flags.waitTimeout * 1000 }),
          }),
        );
        if (flags.json) return printJson(revoked);
        process.stdout.write(`Revoked token ${revoked.id} (${revoked.name})\n`);
        const receipt = revoked.receipt;
        if (receipt) {
          const lag = receipt.maxLagMs === null ? '' : `, slowest ${receipt.maxLagMs} ms`;
          process.stdout.write(
            `Applied by ${receipt.confirmed} of ${receipt.verifiers} live verifiers${lag}\n`,
          );
          if (receipt.confirmed < receipt.verifiers)
            note('Some verifiers did not confirm in time; they apply it when they reconnect.');
        }
      },
    );

  token
    .command('rotate')
    .description(
      'issue a successor with the same settings; the old token expires after the overlap',
    )
    .argument('<id>', 'token id (tok_…)')
    .option(
      '--overlap <duration>',
      'how long the old token keeps working (default 0: now)',
      durationSeconds,
    )
    .option('--json', "print the API's JSON answer (it includes the new secret)")
    .action(async (id: string, flags: { overlap?: number; json?: boolean }) => {
      const rotated = await withClient((gh) =>
        gh.tokens.rotate(id, flags.overlap !== undefined ? { overlapSeconds: flags.overlap } : {}),
      );
      const overlap = flags.overlap
        ? `the old token keeps working for ${humanSeconds(flags.overlap)}`
        : 'the old token stopped working now';
      printIssued(rotated, {
        json: !!flags.json,
        headline: `Rotated ${id} → ${rotated.id}; ${overlap}`,
      });
    });
}
