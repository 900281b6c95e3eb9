import { readFile } from 'node:fs/promises';
import { type CompiledPolicy, compilePolicy, PolicyError } from '@gatehouse/core';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/**
 * A policy file that cannot be used. The message reads `file:line:column: problem`, the form
 * editors and CI annotations understand.
 */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}:${line}:${column}: ${problem}`, options);
    this.name = 'PolicyFileError';
  }
}

/**
 * Parses and compiles a YAML route policy. Throws {@link PolicyFileError} with the position of the
 * first problem: YAML syntax, duplicate keys, or anything core's `compilePolicy` refuses.
 * @example
 * const policy = parsePolicyText('routes:\n  "GET /health": public\n', 'policy.yaml');
 * policy.match('GET', '/health'); // { kind: 'public', pattern: 'GET /health' }
 */
export function parsePolicyText(text: string, file: string): CompiledPolicy {
  const lineCounter = new LineCounter();
  // uniqueKeys: a route declared twice is almost certainly a mistake, never silently "last wins".
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new PolicyFileError(file, pos.line, pos.col, firstLine(syntax.message));
  }
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new PolicyFileError(file, 1, 1, firstLine(String(error)), { cause: error });
  }
  try {
    return compilePolicy(plain);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const offset = locate(doc.contents, error.path, error.at);
    const pos = lineCounter.linePos(offset);
    throw new PolicyFileError(file, pos.line, pos.col, error.message, { cause: error });
  }
}

/**
 * Reads and compiles a policy file.
 * @example const policy = await loadPolicyFile('./policy.yaml');
 */
export async function loadPolicyFile(file: string): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PolicyFileError(file, 1, 1, `cannot read the policy file (${reason})`, {
      cause: error,
    });
  }
  return parsePolicyText(text, file);
}

/** The source offset of the node a PolicyError points at; the closest existing parent otherwise. */
function locate(
  root: Node | null,
  path: readonly (string | number)[],
  at: 'key' | 'value',
): number {
  let node: unknown = root;
  let best = rangeStart(root);
  for (const [i, step] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && `${p.key.value}` === step,
      );
      if (!pair) break;
      if (last && at === 'key') return rangeStart(pair.key as Node | null) ?? best ?? 0;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else break;
    best = rangeStart(node as Node | null) ?? best;
  }
  return best ?? 0;
}

function rangeStart(node: Node | null | undefined): number | undefined {
  return node && typeof node === 'object' && 'range' in node && node.range
    ? node.range[0]
    : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
