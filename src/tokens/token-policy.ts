import { type ApiRecord, parseCidr, scopesOutsidePolicy } from '@gatehouse/core';
import { GatehouseError } from '../server/errors.js';

export interface ExpiryInput {
  ttlSeconds?: number | undefined;
  expiresAt?: string | undefined;
}

/**
 * Decides a new token's expiry under the API's policy: explicit TTL or date, else the policy's
 * default TTL, else its max TTL; `null` (never expires) only when the policy sets no max.
 */
export function resolveExpiry(input: ExpiryInput, api: ApiRecord, now: number): number | null {
  const { maxTtlSeconds, defaultTtlSeconds } = api.policy;
  if (input.ttlSeconds !== undefined && input.expiresAt !== undefined) {
    throw new GatehouseError('validation_failed', 'give ttlSeconds or expiresAt, not both', {
      field: 'body.expiresAt',
    });
  }
  let expiresAt: number | null;
  let field = 'body.ttlSeconds';
  if (input.ttlSeconds !== undefined) {
    expiresAt = now + input.ttlSeconds * 1000;
  } else if (input.expiresAt !== undefined) {
    field = 'body.expiresAt';
    expiresAt = Date.parse(input.expiresAt);
    if (Number.isNaN(expiresAt))
      throw new GatehouseError('validation_failed', 'body.expiresAt is not an ISO 8601 date', {
        field,
      });
    if (expiresAt <= now)
      throw new GatehouseError('validation_failed', 'body.expiresAt is in the past', { field });
  } else {
    const ttl = defaultTtlSeconds ?? maxTtlSeconds;
    expiresAt = ttl === null ? null : now + ttl * 1000;
  }
  if (maxTtlSeconds !== null && (expiresAt === null || expiresAt - now > maxTtlSeconds * 1000)) {
    throw new GatehouseError(
      'policy_violation',
      `${field} exceeds the API "${api.name}" maximum TTL of ${maxTtlSeconds} seconds`,
      {
        field,
      },
    );
  }
  return expiresAt;
}

/** Rejects scopes outside the API's allowed list. */
export function checkScopes(
  scopes: readonly string[],
  api: ApiRecord,
  field = 'body.scopes',
): void {
  const outside = scopesOutsidePolicy(scopes, api.policy.allowedScopes);
  if (outside.length > 0) {
    throw new GatehouseError(
      'policy_violation',
      `${field} contains scopes the API "${api.name}" does not allow: ${outside.join(', ')}`,
      {
        field,
      },
    );
  }
}

/** Validates CIDRs and the policy's allowlist requirement. */
export function checkIpAllowlist(
  cidrs: readonly string[] | null | undefined,
  api: ApiRecord,
  field = 'body.ipAllowlist',
): void {
  if (api.policy.requireIpAllowlist && (!cidrs || cidrs.length === 0)) {
    throw new GatehouseError('policy_violation', `the API "${api.name}" requires an IP allowlist`, {
      field,
    });
  }
  for (const [i, cidr] of (cidrs ?? []).entries()) {
    try {
      parseCidr(cidr);
    } catch {
      throw new GatehouseError(
        'validation_failed',
        `${field}[${i}] is not a valid IPv4/IPv6 CIDR: ${cidr}`,
        { field: `${field}[${i}]` },
      );
    }
  }
}
