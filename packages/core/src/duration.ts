const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/**
 * Parses a human duration (`90s`, `15m`, `1h`, `30d`, `2w`, `1y`, or a bare number of seconds)
 * into seconds. Returns `undefined` for anything else.
 * @example parseDuration('30d') // 2592000
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})([smhdwy]?)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}
