import type { RateLimit, TokenKind, TokenRecord } from '@gatehouse/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, TokensTable } from './schema.js';

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toTokenRecord(row: Selectable<TokensTable>): TokenRecord {
  return {
    id: row.id,
    apiId: row.api_id,
    kind: row.kind as TokenKind,
    hash: row.hash,
    name: row.name,
    subject: row.subject,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokeReason: row.revoke_reason,
    ipAllowlist: parseJson<string[]>(row.ip_allowlist),
    rateLimit: parseJson<RateLimit>(row.rate_limit),
    maxUses: row.max_uses === null ? null : Number(row.max_uses),
    uses: Number(row.uses),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    rotatedFrom: row.rotated_from,
    rotatedTo: row.rotated_to,
    version: Number(row.version),
  };
}

/** A record as a `tokens` row (bulk loaders and tests insert rows directly). */
export function toTokenRow(token: TokenRecord): TokensTable {
  return {
    id: token.id,
    api_id: token.apiId,
    kind: token.kind,
    hash: token.hash,
    name: token.name,
    subject: token.subject,
    scopes: JSON.stringify(token.scopes),
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt,
    revoke_reason: token.revokeReason,
    ip_allowlist: token.ipAllowlist === null ? null : JSON.stringify(token.ipAllowlist),
    rate_limit: token.rateLimit === null ? null : JSON.stringify(token.rateLimit),
    max_uses: token.maxUses,
    uses: token.uses,
    metadata: JSON.stringify(token.metadata),
    last_used_at: token.lastUsedAt,
    rotated_from: token.rotatedFrom,
    rotated_to: token.rotatedTo,
    version: token.version,
  };
}

export async function insertToken(db: Kysely<Database>, token: TokenRecord): Promise<void> {
  await db.insertInto('tokens').values(toTokenRow(token)).execute();
}

export async function findTokenByHash(
  db: Kysely<Database>,
  hash: string,
): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row ? toTokenRecord(row) : undefined;
}

export async function findTokenById(
  db: Kysely<Database>,
  id: string,
): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTokenRecord(row) : undefined;
}

/** Mutable fields of a token. `version` is bumped by {@link updateToken} itself. */
export type TokenPatch = Partial<
  Pick<
    TokenRecord,
    | 'name'
    | 'scopes'
    | 'metadata'
    | 'ipAllowlist'
    | 'rateLimit'
    | 'expiresAt'
    | 'revokedAt'
    | 'revokeReason'
    | 'rotatedTo'
  >
>;

/** Applies a patch and bumps the version; returns the updated record, or undefined if absent. */
export async function updateToken(
  db: Kysely<Database>,
  id: string,
  patch: TokenPatch,
): Promise<TokenRecord | undefined> {
  const current = await findTokenById(db, id);
  if (!current) return undefined;
  const next: TokenRecord = { ...current, ...patch, version: current.version + 1 };
  const row = toTokenRow(next);
  await db
    .updateTable('tokens')
    .set({
      name: row.name,
      scopes: row.scopes,
      metadata: row.metadata,
      ip_allowlist: row.ip_allowlist,
      rate_limit: row.rate_limit,
      expires_at: row.expires_at,
      revoked_at: row.revoked_at,
      revoke_reason: row.revoke_reason,
      rotated_to: row.rotated_to,
      version: row.version,
    })
    .where('id', '=', id)
    .execute();
  return next;
}

export interface TokenListFilter {
  apiId?: string | undefined;
  subject?: string | undefined;
  status?: 'active' | 'expired' | 'revoked' | undefined;
  now: number;
  limit: number;
  /** Keyset position: list continues strictly after (createdAt, id) in descending order. */
  after?: { createdAt: number; id: string } | undefined;
}

/** Newest first, keyset-paginated; returns up to `limit + 1` rows so callers can tell if more exist. */
export async function listTokens(
  db: Kysely<Database>,
  filter: TokenListFilter,
): Promise<TokenRecord[]> {
  let query = db.selectFrom('tokens').selectAll();
  if (filter.apiId) query = query.where('api_id', '=', filter.apiId);
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.status === 'revoked') query = query.where('revoked_at', 'is not', null);
  if (filter.status === 'expired')
    query = query.where('revoked_at', 'is', null).where('expires_at', '<=', filter.now);
  if (filter.status === 'active') {
    query = query
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', filter.now)]));
  }
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  return rows.map(toTokenRecord);
}

/** Active token ids of a subject (for subject-wide revocation). */
export async function activeTokensOfSubject(
  db: Kysely<Database>,
  subject: string,
  now: number,
): Promise<TokenRecord[]> {
  const rows = await db
    .selectFrom('tokens')
    .selectAll()
    .where('subject', '=', subject)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map(toTokenRecord);
}

/** A batch of usage observed by one node since its last flush. */
export interface UsageDelta {
  tokenId: string;
  uses: number;
  lastUsedAt: number;
}

/** Applies batched usage (one statement per token, one transaction per batch). */
export async function applyUsage(
  db: Kysely<Database>,
  deltas: readonly UsageDelta[],
): Promise<void> {
  for (const delta of deltas) {
    await db
      .updateTable('tokens')
      .set((eb) => ({
        uses: eb('uses', '+', delta.uses),
        // Portable max(): SQLite's scalar max() and PostgreSQL's greatest() differ.
        last_used_at: sql<number>`case when last_used_at is null or last_used_at < ${delta.lastUsedAt} then ${delta.lastUsedAt} else last_used_at end`,
      }))
      .where('id', '=', delta.tokenId)
      .execute();
  }
}
