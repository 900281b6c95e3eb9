import { encodeBase62Fixed, randomBase62 } from './base62.js';
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

/**
 * A time-ordered id (`evt_` + 8 base62 chars of epoch ms + 14 random chars, ~83 bits): ids of
 * rows written in time order land at the right edge of their B-tree index instead of at random
 * pages, which keeps high-volume inserts (audit events) cheap.
 * @example timeOrderedId('event', Date.now())
 */
export function timeOrderedId(
  kind: IdKind,
  timeMs: number,
  random: RandomSource = secureRandom,
): string {
  return `${ID_PREFIXES[kind]}_${encodeBase62Fixed(Math.max(0, Math.trunc(timeMs)), 8)}${randomBase62(random, 14)}`;
}
