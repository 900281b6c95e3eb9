import type { CreatedTokenJson, TokenJson } from '@gatehouse/sdk';
import { note, printJson, renderFields, renderTable, shortTime } from './output.js';

const LIST_HEADERS = ['ID', 'NAME', 'API', 'SUBJECT', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED'];

/**
 * The `token list` table. Never shows a secret: list answers have none.
 * @example process.stdout.write(tokenTable(page.items))
 */
export function tokenTable(tokens: readonly TokenJson[]): string {
  return renderTable(
    LIST_HEADERS,
    tokens.map((token) => [
      token.id,
      token.name,
      token.api,
      token.subject ?? '-',
      token.scopes.join(',') || '-',
      token.status,
      shortTime(token.expiresAt, 'never'),
      shortTime(token.lastUsedAt),
    ]),
  );
}

/**
 * The `token show` view: one aligned `Field: value` line per attribute.
 * @example process.stdout.write(tokenDetails(token))
 */
export function tokenDetails(token: TokenJson): string {
  const metadata = Object.entries(token.metadata ?? {});
  return renderFields([
    ['ID', token.id],
    ['Name', token.name],
    ['API', token.api],
    ['Kind', token.kind],
    ['Subject', token.subject ?? '-'],
    ['Scopes', token.scopes.join(' ') || '-'],
    ['Status', token.status],
    ['Created', shortTime(token.createdAt)],
    ['Expires', shortTime(token.expiresAt, 'never')],
    ['Last used', shortTime(token.lastUsedAt)],
    ['IP allowlist', token.ipAllowlist?.length ? token.ipAllowlist.join(' ') : undefined],
    [
      'Rate limit',
      token.rateLimit ? `${token.rateLimit.limit}/${token.rateLimit.windowSeconds}s` : undefined,
    ],
    ['Max uses', token.maxUses ? `${token.maxUses} (used ${token.uses ?? 0})` : undefined],
    [
      'Metadata',
      metadata.length
        ? metadata
            .map(
              ([key, value]) =>
                `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
            )
            .join(' ')
        : undefined,
    ],
    ['Rotated from', token.rotatedFrom ?? undefined],
    ['Rotated to', token.rotatedTo ?? undefined],
    ['Revoked', typeof token.revokedAt === 'string' ? shortTime(token.revokedAt) : undefined],
  ]);
}

/**
 * Prints a create/rotate answer. The secret goes to stdout (alone on its line in human mode, so
 * `TOKEN=$(gatehouse token create …)` captures exactly it); everything else goes to stderr,
 * including the warning that this is the only time it is shown.
 * @example printIssued(created, { json: false, headline: `Created ${created.id}` })
 */
export function printIssued(
  issued: CreatedTokenJson,
  options: { json: boolean; headline: string },
): void {
  note(options.headline);
  if (options.json) {
    printJson(issued);
    note(
      'The "token" field above is the secret. It is shown once: store it now (Gatehouse keeps only a hash).',
    );
    return;
  }
  const { token: _secret, ...view } = issued;
  process.stderr.write(tokenDetails(view as TokenJson));
  note('\nThe token below is shown once: store it now (Gatehouse keeps only a hash).');
  process.stdout.write(`${issued.token}\n`);
}
