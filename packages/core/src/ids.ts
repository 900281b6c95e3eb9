import { randomBase62 } from './base62.js';
import { type RandomSource, secureRandom } from './clock.js';

/** Id prefixes per entity. Ids are never secrets; they are safe to log. */
export const ID_PREFIXES = {
  token: 'tok',
  api: 'api',
  event: 'evt',
  alert: 'alr',
  webhook: 'whk',
  key: 'key',
  node: 'node',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * A new random id like `tok_4Fh2…` (22 base62 chars, ~131 bits).
 * @example newId('token')
 */
export function newId(kind: IdKind, random: RandomSource = secureRandom): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(random, 22)}`;
}

/** True when `value` looks like an id of `kind`. */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-Za-z]{8,40}$`).test(value);
}
