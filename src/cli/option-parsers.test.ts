import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  collectList,
  collectMetadata,
  durationSeconds,
  pointInTime,
  positiveInt,
  rateLimit,
} from './option-parsers.js';
import { humanSeconds, renderTable, shortTime } from './output.js';

describe('CLI option parsers', () => {
  it('parses durations with core parseDuration and refuses anything else', () => {
    expect(durationSeconds('30d')).toBe(2_592_000);
    expect(durationSeconds('90')).toBe(90);
    for (const bad of ['3x', '', '1.5h', '-1d', 'soon'])
      expect(() => durationSeconds(bad)).toThrow(InvalidArgumentError);
  });

  it('parses rate limits as LIMIT/WINDOW', () => {
    expect(rateLimit('100/60s')).toEqual({ limit: 100, windowSeconds: 60 });
    expect(rateLimit('1000/1h')).toEqual({ limit: 1000, windowSeconds: 3600 });
    expect(rateLimit('10/s')).toEqual({ limit: 10, windowSeconds: 1 });
    for (const bad of ['100', '0/60s', '100/', '100/0s', 'a/b', '100/60x'])
      expect(() => rateLimit(bad), bad).toThrow(InvalidArgumentError);
  });

  it('collects repeatable and comma-separated values, and key=value metadata', () => {
    expect(collectList('a, b', collectList('x', undefined))).toEqual(['x', 'a', 'b']);
    expect(() => collectList(' , ', undefined)).toThrow(InvalidArgumentError);
    expect(collectMetadata('url=https://x/?a=b', { team: 'ops' })).toEqual({
      team: 'ops',
      url: 'https://x/?a=b',
    });
    expect(() => collectMetadata('=v', undefined)).toThrow(InvalidArgumentError);
    expect(positiveInt('5')).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'x'])
      expect(() => positiveInt(bad)).toThrow(InvalidArgumentError);
  });

  it('reads --since as an ISO time or a span ago', () => {
    const now = () => Date.UTC(2026, 0, 2);
    expect(pointInTime('24h', now)).toBe('2026-01-01T00:00:00.000Z');
    expect(pointInTime('2026-01-01T12:00:00+02:00', now)).toBe('2026-01-01T10:00:00.000Z');
    expect(() => pointInTime('last tuesday', now)).toThrow(InvalidArgumentError);
  });

  it('formats tables, times and spans for humans', () => {
    expect(
      renderTable(
        ['ID', 'NAME'],
        [
          ['tok_1', 'ci'],
          ['tok_22', ''],
        ],
      ),
    ).toBe('ID      NAME\ntok_1   ci\ntok_22\n');
    expect(shortTime('2026-05-01T12:34:56.789Z')).toBe('2026-05-01 12:34Z');
    expect(shortTime(null, 'never')).toBe('never');
    expect([humanSeconds(3600), humanSeconds(90), humanSeconds(86_400), humanSeconds(0)]).toEqual([
      '1h',
      '90s',
      '1d',
      '0s',
    ]);
  });
});
