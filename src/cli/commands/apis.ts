import type { ApiPolicyJson } from '@gatehouse/sdk';
import type { Command } from 'commander';
import { withClient } from '../connection.js';
import { collectList, durationSeconds } from '../option-parsers.js';
import { humanSeconds, note, printJson, renderTable, shortTime } from '../output.js';

interface CreateFlags {
  prefix: string;
  maxTtl?: number;
  defaultTtl?: number;
  allowedScope?: string[];
  rotationPeriod?: number;
  requireIpAllowlist?: boolean;
  json?: boolean;
}

const span = (seconds: number | null | undefined): string =>
  seconds ? humanSeconds(seconds) : '-';

/** `gatehouse apis create|list`: APIs are keyspaces with their own token prefix and policy. */
export function registerApis(program: Command): void {
  const apis = program.command('apis').description('create and list APIs (token keyspaces)');

  apis
    .command('create')
    .description('create an API with its own token prefix and issuing policy (admin)')
    .argument('<name>', 'lowercase name, e.g. "shop"')
    .requiredOption('--prefix <prefix>', 'token prefix, e.g. "shop" → shop_…')
    .option('--max-ttl <duration>', 'longest lifetime a token may get', durationSeconds)
    .option('--default-ttl <duration>', 'lifetime when none is asked for', durationSeconds)
    .option('--allowed-scope <scope>', 'scope tokens may carry (repeat; default any)', collectList)
    .option('--rotation-period <duration>', 'when tokens are due for rotation', durationSeconds)
    .option('--require-ip-allowlist', 'every token must carry an IP allowlist')
    .option('--json', "print the API's JSON answer")
    .action(async (name: string, flags: CreateFlags) => {
      const policy: ApiPolicyJson = {
        ...(flags.maxTtl !== undefined && { maxTtlSeconds: flags.maxTtl }),
        ...(flags.defaultTtl !== undefined && { defaultTtlSeconds: flags.defaultTtl }),
        ...(flags.allowedScope !== undefined && { allowedScopes: flags.allowedScope }),
        ...(flags.rotationPeriod !== undefined && { rotationPeriodSeconds: flags.rotationPeriod }),
        ...(flags.requireIpAllowlist && { requireIpAllowlist: true }),
      };
      const api = await withClient((gh) => gh.apis.create({ name, prefix: flags.prefix, policy }));
      if (flags.json) return printJson(api);
      process.stdout.write(
        `Created API ${api.name} (${api.id}); its tokens start with ${api.prefix}_\n`,
      );
    });

  apis
    .command('list')
    .description('list APIs and their policies')
    .option('--json', "print the API's JSON answer")
    .action(async (flags: { json?: boolean }) => {
      const items = await withClient((gh) => gh.apis.list());
      if (flags.json) return printJson({ items });
      if (items.length === 0) return note('No APIs.');
      process.stdout.write(
        renderTable(
          ['ID', 'NAME', 'PREFIX', 'MAX TTL', 'DEFAULT TTL', 'SCOPES', 'CREATED'],
          items.map((api) => [
            api.id,
            api.name,
            api.prefix,
            span(api.policy.maxTtlSeconds),
            span(api.policy.defaultTtlSeconds),
            api.policy.allowedScopes?.join(',') || 'any',
            shortTime(api.createdAt),
          ]),
        ),
      );
    });
}
