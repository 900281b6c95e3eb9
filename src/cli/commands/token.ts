import type { CreateTokenInput, TokenJson } from '@gatehouse/sdk';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { withClient } from '../connection.js';
import {
  collectList,
  collectMetadata,
  durationSeconds,
  isoTime,
  positiveInt,
  rateLimit,
} from '../option-parsers.js';
import { note, printJson } from '../output.js';
import { printIssued, tokenDetails, tokenTable } from '../token-output.js';
import { registerTokenChanges } from './token-changes.js';

interface CreateFlags {
  name: string;
  scope?: string[];
  ttl?: number;
  expiresAt?: string;
  api?: string;
  subject?: string;
  kind?: 'opaque' | 'jwt';
  ip?: string[];
  rateLimit?: { limit: number; windowSeconds: number };
  maxUses?: number;
  metadata?: Record<string, string>;
  json?: boolean;
}

interface ListFlags {
  api?: string;
  subject?: string;
  status?: 'active' | 'expired' | 'revoked';
  limit?: number;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

/** `gatehouse token create|list|show|update|revoke|rotate`. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('create, inspect, change and revoke tokens');

  token
    .command('create')
    .description('issue a token; its secret is printed once, to stdout')
    .requiredOption('--name <name>', 'human name, e.g. "ci deploy"')
    .option('--scope <scope>', 'granted scope (repeat, or comma-separate)', collectList)
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 30d, 2w, 1y', durationSeconds)
    .option('--expires-at <time>', 'absolute expiry (ISO 8601) instead of --ttl', isoTime)
    .option('--api <api>', 'API name or id (default: the "default" API)')
    .option('--subject <subject>', 'owner (user, service) the token belongs to')
    .addOption(new Option('--kind <kind>', 'token kind').choices(['opaque', 'jwt']))
    .option('--ip <cidr>', 'allowed client network (repeat, or comma-separate)', collectList)
    .option('--rate-limit <limit/window>', 'per-token rate limit, e.g. 100/60s', rateLimit)
    .option('--max-uses <n>', 'number of verifications allowed', positiveInt)
    .option('--metadata <key=value>', 'metadata entry (repeat)', collectMetadata)
    .option('--json', "print the API's JSON answer (it includes the secret)")
    .action(async (flags: CreateFlags) => {
      if (flags.ttl !== undefined && flags.expiresAt !== undefined)
        throw new CliError('give --ttl or --expires-at, not both', EXIT.usage);
      const input: CreateTokenInput = {
        name: flags.name,
        scopes: flags.scope ?? [],
        ...(flags.api !== undefined && { api: flags.api }),
        ...(flags.subject !== undefined && { subject: flags.subject }),
        ...(flags.kind !== undefined && { kind: flags.kind }),
        ...(flags.ttl !== undefined && { ttlSeconds: flags.ttl }),
        ...(flags.expiresAt !== undefined && { expiresAt: flags.expiresAt }),
        ...(flags.ip !== undefined && { ipAllowlist: flags.ip }),
        ...(flags.rateLimit !== undefined && { rateLimit: flags.rateLimit }),
        ...(flags.maxUses !== undefined && { maxUses: flags.maxUses }),
        ...(flags.metadata !== undefined && { metadata: flags.metadata }),
      };
      const created = await withClient((gh) => gh.tokens.create(input));
      printIssued(created, { json: !!flags.json, headline: `Created token ${created.id}` });
    });

  token
    .command('list')
    .description('list tokens, newest first (never their secrets)')
    .option('--api <api>', 'only this API (name or id)')
    .option('--subject <subject>', 'only this subject')
    .addOption(
      new Option('--status <status>', 'only this status').choices(['active', 'expired', 'revoked']),
    )
    .option('--limit <n>', 'page size (1-1000, server default 50)', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'follow every page')
    .option('--json', "print the API's JSON answer")
    .action(async (flags: ListFlags) => {
      const query = {
        ...(flags.api !== undefined && { api: flags.api }),
        ...(flags.subject !== undefined && { subject: flags.subject }),
        ...(flags.status !== undefined && { status: flags.status }),
        ...(flags.limit !== undefined && { limit: flags.limit }),
      };
      const page = await withClient(async (gh) => {
        if (!flags.all) return gh.tokens.list({ ...query, cursor: flags.cursor });
        const items: TokenJson[] = [];
        for await (const item of gh.tokens.listAll({ ...query })) items.push(item);
        return { items, nextCursor: null };
      });
      if (flags.json) return printJson(page);
      if (page.items.length === 0) note('No tokens match.');
      else process.stdout.write(tokenTable(page.items));
      if (page.nextCursor)
        note(`More tokens: add --cursor ${page.nextCursor} (or --all for every page).`);
    });

  token
    .command('show')
    .description('show one token (never its secret)')
    .argument('<id>', 'token id (tok_…)')
    .option('--json', "print the API's JSON answer")
    .action(async (id: string, flags: { json?: boolean }) => {
      const shown = await withClient((gh) => gh.tokens.get(id));
      if (flags.json) printJson(shown);
      else process.stdout.write(tokenDetails(shown));
    });

  registerTokenChanges(token);
}
