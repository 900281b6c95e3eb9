/** Human and machine output for management commands. Data goes to stdout, notes to stderr. */

/**
 * Prints a value as the API sent it (pretty-printed JSON, same fields, same order).
 * @example printJson(await gh.tokens.get(id))
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a note for the human at the terminal; stdout stays clean for pipes. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * Shortens an ISO 8601 time to minutes in UTC (`2026-05-01 12:34Z`); `fallback` for null.
 * @example shortTime('2026-05-01T12:34:56.789Z') // '2026-05-01 12:34Z'
 */
export function shortTime(iso: string | null | undefined, fallback = '-'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * Renders rows as aligned columns under upper-case headers (two spaces between columns).
 * @example renderTable(['ID', 'NAME'], [['tok_1', 'ci']]) // 'ID     NAME\ntok_1  ci\n'
 */
export function renderTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Renders `label: value` pairs with the values aligned; pairs whose value is undefined are left out.
 * @example renderFields([['ID', 'tok_1'], ['Name', 'ci']]) // 'ID:    tok_1\nName:  ci\n'
 */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = fields.filter(
    (field): field is readonly [string, string] => field[1] !== undefined,
  );
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  return `${shown.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** Writes to stdout, waiting when the pipe is full so a huge export stays in bounded memory. */
export async function writeOut(text: string): Promise<void> {
  if (process.stdout.write(text)) return;
  await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

const SPANS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/**
 * Seconds as the largest whole unit: `3600` → `1h`, `90` → `90s`.
 * @example humanSeconds(86400) // '1d'
 */
export function humanSeconds(seconds: number): string {
  if (seconds <= 0) return '0s';
  for (const [unit, size] of SPANS) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
