import {
  type ApiRecord,
  type Clock,
  generateToken,
  hashToken,
  newId,
  newTokenRecord,
  parseToken,
  type RandomSource,
  type RateLimit,
  type TokenKind,
  type TokenRecord,
} from '@gatehouse/core';
import type { Kysely } from 'kysely';
import type { AuditEventInput, AuditSink } from '../audit/audit-sink.js';
import { GatehouseError } from '../server/errors.js';
import { appendChange, type NewChange } from '../store/changes-repo.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import {
  activeTokensOfSubject,
  findTokenById,
  insertToken,
  type TokenPatch,
  updateToken,
} from '../store/tokens-repo.js';
import type { ApiDirectory } from './api-directory.js';
import { checkIpAllowlist, checkScopes, resolveExpiry } from './token-policy.js';

export interface CreateTokenInput {
  api?: string | undefined;
  name: string;
  subject?: string | null | undefined;
  scopes: string[];
  kind?: TokenKind | undefined;
  ttlSeconds?: number | undefined;
  expiresAt?: string | undefined;
  ipAllowlist?: string[] | null | undefined;
  rateLimit?: RateLimit | null | undefined;
  maxUses?: number | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export type UpdateTokenInput = Partial<
  Pick<TokenRecord, 'name' | 'scopes' | 'metadata' | 'ipAllowlist' | 'rateLimit'>
>;

/** Signs `jwt` kind tokens; provided by the OAuth/keys module. */
export interface JwtTokenIssuer {
  issue(token: TokenRecord, api: ApiRecord): Promise<string>;
}

/** Who is acting, for audit events. */
export interface Actor {
  tokenId: string | null;
  ip?: string | null | undefined;
}

export interface IssuedToken {
  record: TokenRecord;
  api: ApiRecord;
  /** The secret: returned once, never stored or logged. */
  secret: string;
}

/**
 * The token lifecycle. Every mutation commits the row, its change-feed event and its audit event
 * in one transaction: a committed change is always visible to verifiers and always audited.
 */
export class TokenService {
  constructor(
    private readonly deps: {
      store: Store;
      apis: ApiDirectory;
      clock: Clock;
      random: RandomSource;
      audit: AuditSink;
      jwtIssuer?: JwtTokenIssuer | undefined;
    },
  ) {}

  async requireApi(idOrName: string, field = 'body.api'): Promise<ApiRecord> {
    const api = await this.deps.apis.resolve(idOrName);
    if (!api) {
      // Never echo a pasted secret (see tokenNotFound).
      const shown = parseToken(idOrName).ok ? '(a token secret was given)' : `"${idOrName}"`;
      throw new GatehouseError('not_found', `API ${shown} does not exist`, { field });
    }
    return api;
  }

  async get(id: string): Promise<{ record: TokenRecord; api: ApiRecord }> {
    const record = await findTokenById(this.deps.store.db, id);
    if (!record) throw tokenNotFound(id);
    return { record, api: await this.requireApi(record.apiId, 'id') };
  }

  /** Creates a token; the returned secret is the only copy there will ever be. */
  async create(input: CreateTokenInput, actor: Actor): Promise<IssuedToken> {
    const { store, clock, random } = this.deps;
    const api = await this.requireApi(input.api ?? 'default');
    const now = clock.now();
    const kind = input.kind ?? 'opaque';
    checkScopes(input.scopes, api);
    checkIpAllowlist(input.ipAllowlist, api);
    const expiresAt = resolveExpiry(input, api, now);
    if (kind === 'jwt' && expiresAt === null) {
      throw new GatehouseError(
        'policy_violation',
        'jwt tokens must expire: give ttlSeconds or expiresAt',
        { field: 'body.ttlSeconds' },
      );
    }
    const record = newTokenRecord({
      id: newId('token', random),
      apiId: api.id,
      kind,
      name: input.name,
      subject: input.subject ?? null,
      scopes: [...new Set(input.scopes)],
      createdAt: now,
      expiresAt,
      ipAllowlist: input.ipAllowlist && input.ipAllowlist.length > 0 ? input.ipAllowlist : null,
      rateLimit: input.rateLimit ?? null,
      maxUses: input.maxUses ?? null,
      metadata: input.metadata ?? {},
    });
    const secret = await this.mintSecret(record, api);
    await store.write(async (tx) => {
      await insertToken(tx, record);
      await this.changed(tx, {
        type: 'token.created',
        tokenId: record.id,
        tokenHash: record.hash,
        apiId: api.id,
        payload: {},
        time: now,
      });
      await this.audited(tx, {
        type: 'token.created',
        tokenId: record.id,
        subject: record.subject,
        api: api.name,
        actor: actor.tokenId,
        ip: actor.ip ?? null,
      });
    });
    return { record, api, secret };
  }

  private async mintSecret(record: TokenRecord, api: ApiRecord): Promise<string> {
    if (record.kind === 'jwt') {
      if (!this.deps.jwtIssuer)
        throw new GatehouseError(
          'unavailable',
          'jwt tokens are not available: no signing key is configured',
        );
      return this.deps.jwtIssuer.issue(record, api);
    }
    const secret = generateToken({ prefix: api.prefix, random: this.deps.random });
    record.hash = hashToken(secret);
    return secret;
  }

  /** Updates mutable fields; verifiers see the change as fast as a revocation. */
  async update(
    id: string,
    input: UpdateTokenInput,
    actor: Actor,
  ): Promise<{ record: TokenRecord; api: ApiRecord }> {
    const { record: current, api } = await this.get(id);
    if (input.scopes) checkScopes(input.scopes, api);
    if (input.ipAllowlist !== undefined) checkIpAllowlist(input.ipAllowlist, api);
    const patch: TokenPatch = { ...input };
    if (input.scopes) patch.scopes = [...new Set(input.scopes)];
    if (input.ipAllowlist !== undefined)
      patch.ipAllowlist =
        input.ipAllowlist && input.ipAllowlist.length > 0 ? input.ipAllowlist : null;
    const now = this.deps.clock.now();
    const record = await this.deps.store.write(async (tx) => {
      const next = await updateToken(tx, id, patch);
      if (!next) throw tokenNotFound(id);
      await this.changed(tx, {
        type: 'token.updated',
        tokenId: id,
        tokenHash: current.hash,
        apiId: api.id,
        payload: { version: next.version },
        time: now,
      });
      await this.audited(tx, {
        type: 'token.updated',
        tokenId: id,
        subject: next.subject,
        api: api.name,
        actor: actor.tokenId,
        ip: actor.ip ?? null,
        details: { fields: Object.keys(input) },
      });
      return next;
    });
    return { record, api };
  }

  /** Revokes a token. Idempotent: revoking a revoked token changes nothing and returns it. */
  async revoke(
    id: string,
    reason: string | null,
    actor: Actor,
  ): Promise<{ record: TokenRecord; api: ApiRecord; seq: number | null }> {
    const { api } = await this.get(id);
    const now = this.deps.clock.now();
    return this.deps.store.write(async (tx) => {
      const current = await findTokenById(tx, id);
      if (!current) throw tokenNotFound(id);
      if (current.revokedAt !== null) return { record: current, api, seq: null };
      const { record, seq } = await this.revokeInTx(tx, current, api, reason, actor, now);
      return { record, api, seq };
    });
  }

  private async revokeInTx(
    tx: Kysely<Database>,
    current: TokenRecord,
    api: ApiRecord,
    reason: string | null,
    actor: Actor,
    now: number,
  ): Promise<{ record: TokenRecord; seq: number }> {
    const record = (await updateToken(tx, current.id, { revokedAt: now, revokeReason: reason }))!;
    const seq = await this.changed(tx, {
      type: current.kind === 'jwt' ? 'jwt.revoked' : 'token.revoked',
      tokenId: current.id,
      tokenHash: current.hash,
      apiId: api.id,
      payload: { expiresAt: current.expiresAt },
      time: now,
    });
    await this.audited(tx, {
      type: 'token.revoked',
      tokenId: current.id,
      subject: current.subject,
      api: api.name,
      actor: actor.tokenId,
      ip: actor.ip ?? null,
      details: reason ? { reason } : null,
    });
    return { record, seq };
  }

  /** Revokes every active token of a subject, in one transaction. */
  async revokeSubject(
    subject: string,
    reason: string | null,
    actor: Actor,
  ): Promise<{ revoked: number; seq: number | null }> {
    const now = this.deps.clock.now();
    return this.deps.store.write(async (tx) => {
      const tokens = await activeTokensOfSubject(tx, subject, now);
      let seq: number | null = null;
      for (const token of tokens) {
        const api = await this.requireApi(token.apiId);
        seq = (await this.revokeInTx(tx, token, api, reason ?? 'subject revoked', actor, now)).seq;
      }
      return { revoked: tokens.length, seq };
    });
  }

  /**
   * Issues a successor with the same settings and lets the old token live `overlapSeconds` more
   * (0 = it stops now). The successor keeps the original lifetime length, capped by policy.
   */
  async rotate(
    id: string,
    overlapSeconds: number,
    actor: Actor,
  ): Promise<IssuedToken & { previous: TokenRecord }> {
    const { record: old, api } = await this.get(id);
    if (old.revokedAt !== null)
      throw new GatehouseError('conflict', `token ${id} is revoked and cannot be rotated`, {
        field: 'id',
      });
    if (old.rotatedTo !== null)
      throw new GatehouseError(
        'conflict',
        `token ${id} was already rotated to ${old.rotatedTo}: rotate that one, or revoke this one`,
        { field: 'id' },
      );
    const now = this.deps.clock.now();
    if (old.expiresAt !== null && old.expiresAt <= now)
      throw new GatehouseError('conflict', `token ${id} has expired and cannot be rotated`, {
        field: 'id',
      });
    const lifetimeSeconds =
      old.expiresAt === null
        ? undefined
        : Math.max(1, Math.round((old.expiresAt - old.createdAt) / 1000));
    const capped =
      lifetimeSeconds !== undefined && api.policy.maxTtlSeconds !== null
        ? Math.min(lifetimeSeconds, api.policy.maxTtlSeconds)
        : lifetimeSeconds;
    const next: TokenRecord = {
      ...old,
      id: newId('token', this.deps.random),
      hash: null,
      createdAt: now,
      expiresAt: resolveExpiry({ ttlSeconds: capped }, api, now),
      uses: 0,
      lastUsedAt: null,
      rotatedFrom: old.id,
      rotatedTo: null,
      version: 1,
    };
    const secret = await this.mintSecret(next, api);
    const oldExpiry = now + overlapSeconds * 1000;
    const previous = await this.deps.store.write(async (tx) => {
      await insertToken(tx, next);
      const updated = (await updateToken(tx, old.id, {
        rotatedTo: next.id,
        expiresAt: old.expiresAt === null ? oldExpiry : Math.min(old.expiresAt, oldExpiry),
      }))!;
      await this.changed(tx, {
        type: 'token.created',
        tokenId: next.id,
        tokenHash: next.hash,
        apiId: api.id,
        payload: {},
        time: now,
      });
      await this.changed(tx, {
        type: 'token.rotated',
        tokenId: old.id,
        tokenHash: old.hash,
        apiId: api.id,
        payload: { rotatedTo: next.id, expiresAt: updated.expiresAt },
        time: now,
      });
      await this.audited(tx, {
        type: 'token.rotated',
        tokenId: old.id,
        subject: old.subject,
        api: api.name,
        actor: actor.tokenId,
        ip: actor.ip ?? null,
        details: { rotatedTo: next.id, overlapSeconds },
      });
      return updated;
    });
    return { record: next, api, secret, previous };
  }

  private changed(tx: Kysely<Database>, change: NewChange): Promise<number> {
    return appendChange(tx, this.deps.store.dialect, change);
  }

  private audited(tx: Kysely<Database>, event: AuditEventInput): Promise<void> {
    return this.deps.audit.recordInTransaction(tx, event);
  }
}

/**
 * The 404 for an unknown token id. Users do paste a secret where the id goes; echoing it back
 * would put the secret in an error body (and in whatever logs the caller keeps), so a
 * checksum-valid token is described, never repeated.
 */
function tokenNotFound(id: string): GatehouseError {
  const detail = parseToken(id).ok
    ? 'this is a token secret, not a token id (ids look like tok_…); find the id with GET /v1/tokens or verify the secret with POST /v1/verify'
    : `token ${id} does not exist`;
  return new GatehouseError('not_found', detail, { field: 'id' });
}
