import {
  type ApiPolicy,
  type ApiRecord,
  type Clock,
  generateToken,
  hashToken,
  newId,
  newTokenRecord,
  type RandomSource,
} from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-sink.js';
import { insertApi } from '../store/apis-repo.js';
import { insertMetaIfAbsent } from '../store/meta-repo.js';
import type { Store } from '../store/store.js';
import { insertToken } from '../store/tokens-repo.js';
import { MANAGEMENT_API } from './auth.js';

/** Scopes a management token may carry. */
export const MANAGEMENT_SCOPES = [
  'admin',
  'tokens:read',
  'tokens:write',
  'tokens:verify',
  'audit:read',
  'alerts:read',
  'alerts:write',
];

const DAY = 86_400;

/** The built-in APIs: `gatehouse` (management tokens, prefix `gthm`) and `default` (prefix `gth`). */
export function builtInApis(now: number, random: RandomSource): ApiRecord[] {
  const management: ApiPolicy = {
    maxTtlSeconds: null,
    defaultTtlSeconds: null,
    allowedScopes: MANAGEMENT_SCOPES,
    rotationPeriodSeconds: null,
    requireIpAllowlist: false,
  };
  // Safe defaults for quick use: tokens expire in 90 days unless asked otherwise, never after a year.
  const quick: ApiPolicy = {
    maxTtlSeconds: 365 * DAY,
    defaultTtlSeconds: 90 * DAY,
    allowedScopes: null,
    rotationPeriodSeconds: null,
    requireIpAllowlist: false,
  };
  return [
    {
      id: newId('api', random),
      name: MANAGEMENT_API,
      prefix: 'gthm',
      policy: management,
      createdAt: now,
      updatedAt: now,
    },
    {
      id: newId('api', random),
      name: 'default',
      prefix: 'gth',
      policy: quick,
      createdAt: now,
      updatedAt: now,
    },
  ];
}

/**
 * On an empty store, creates the built-in APIs and a root admin token, all in one transaction.
 * Safe when several nodes start at once: exactly one wins the `bootstrap` meta row and the others
 * see nothing to do. Returns the root secret only to the winner, to be shown once.
 */
export async function bootstrapStore(deps: {
  store: Store;
  clock: Clock;
  random: RandomSource;
  audit: AuditSink;
}): Promise<{ rootToken: string | null }> {
  const now = deps.clock.now();
  return deps.store.write(async (tx) => {
    if (!(await insertMetaIfAbsent(tx, 'bootstrap', new Date(now).toISOString())))
      return { rootToken: null };
    const [management, quick] = builtInApis(now, deps.random);
    await insertApi(tx, management!);
    await insertApi(tx, quick!);
    const secret = generateToken({ prefix: management!.prefix, random: deps.random });
    const root = newTokenRecord({
      id: newId('token', deps.random),
      apiId: management!.id,
      hash: hashToken(secret),
      name: 'root',
      subject: 'root',
      scopes: ['admin'],
      createdAt: now,
      metadata: { createdBy: 'bootstrap' },
    });
    await insertToken(tx, root);
    await deps.audit.recordInTransaction(tx, {
      type: 'token.created',
      tokenId: root.id,
      subject: 'root',
      api: MANAGEMENT_API,
      actor: null,
      details: { bootstrap: true },
    });
    return { rootToken: secret };
  });
}
