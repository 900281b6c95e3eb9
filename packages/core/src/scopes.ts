/** A scope: `resource:action` style, letters, digits and `._-:`, optionally ending in `:*`. */
export const SCOPE_REGEX: RegExp = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*)(?::[A-Za-z0-9._-]+)*(?::\*)?$/;

/** The management superuser scope. */
export const ADMIN_SCOPE = 'admin';

/**
 * Whether a granted scope covers a required one. `orders:*` covers `orders:read` and
 * `orders:items:write`; `admin` is only special for management calls, see {@link hasManagementScope}.
 * @example scopeCovers('orders:*', 'orders:read') // true
 */
export function scopeCovers(granted: string, required: string): boolean {
  if (granted === required) return true;
  if (granted.endsWith(':*')) return required.startsWith(granted.slice(0, -1));
  return false;
}

/**
 * The required scopes that `granted` does not cover (empty when all are satisfied).
 * @example missingScopes(['orders:*'], ['orders:read', 'users:read']) // ['users:read']
 */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const missing: string[] = [];
  for (const need of required) {
    if (!granted.some((have) => scopeCovers(have, need))) missing.push(need);
  }
  return missing;
}

/** Management authorization: `admin` satisfies every management scope. */
export function hasManagementScope(granted: readonly string[], required: string): boolean {
  return granted.includes(ADMIN_SCOPE) || missingScopes(granted, [required]).length === 0;
}

/**
 * Whether every scope in `requested` is allowed by a policy's `allowedScopes` list
 * (which may itself contain `:*` wildcards). Returns the offending scopes.
 */
export function scopesOutsidePolicy(
  requested: readonly string[],
  allowed: readonly string[] | null | undefined,
): string[] {
  if (!allowed) return [];
  return requested.filter((scope) => !allowed.some((a) => scopeCovers(a, scope)));
}
