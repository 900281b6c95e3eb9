import { parseDuration } from '@gatehouse/core';
import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers. They throw `InvalidArgumentError`, which commander reports as
 * `error: option '--ttl <duration>' argument '3x' is invalid. …` and main maps to exit 2.
 */

/**
 * A duration (`90s`, `15m`, `1h`, `30d`, `2w`, `1y` or bare seconds) in seconds, via core's parser.
 * @example durationSeconds('30d') // 2592000
 */
export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new InvalidArgumentError('Use a number with a unit: 90s, 15m, 1h, 30d, 2w or 1y.');
  return seconds;
}

/**
 * A positive integer.
 * @example positiveInt('100') // 100
 */
export function positiveInt(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError('Use a whole number of at least 1.');
  return value;
}

/**
 * A rate limit `LIMIT/WINDOW`: `100/60s`, `1000/1h`, or `10/s` (a bare unit means one of it).
 * @example rateLimit('100/60s') // { limit: 100, windowSeconds: 60 }
 */
export function rateLimit(text: string): { limit: number; windowSeconds: number } {
  const match = /^(\d+)\/(\d*)([smhdwy]?)$/.exec(text.trim());
  const window = match ? parseDuration(`${match[2] || '1'}${match[3] ?? ''}`) : undefined;
  if (!match || !window || Number(match[1]) < 1 || (!match[2] && !match[3]))
    throw new InvalidArgumentError('Use LIMIT/WINDOW, for example 100/60s or 1000/1h.');
  return { limit: Number(match[1]), windowSeconds: window };
}

/**
 * Collects a repeatable option; each occurrence may also hold a comma-separated list.
 * @example collectList('a,b', ['x']) // ['x', 'a', 'b']
 */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('The value is empty.');
  return [...(previous ?? []), ...items];
}

/**
 * Collects repeatable `key=value` pairs into an object (values stay strings).
 * @example collectMetadata('team=ops', {}) // { team: 'ops' }
 */
export function collectMetadata(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('Use key=value.');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/**
 * An ISO 8601 time, or a duration meaning "that long ago" (`24h` → now − 24 h), as ISO 8601.
 * @example sinceTime('2026-01-01') // '2026-01-01T00:00:00.000Z'
 */
export function pointInTime(text: string, now: () => number = Date.now): string {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now() - ago * 1000).toISOString();
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new InvalidArgumentError(
      'Use an ISO 8601 time (2026-01-31T12:00:00Z) or a span ago (24h, 7d).',
    );
  return new Date(time).toISOString();
}

/**
 * An ISO 8601 time in the future or past, normalised.
 * @example isoTime('2026-12-31T00:00:00Z') // '2026-12-31T00:00:00.000Z'
 */
export function isoTime(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new InvalidArgumentError('Use an ISO 8601 time, e.g. 2026-12-31T00:00:00Z.');
  return new Date(time).toISOString();
}
