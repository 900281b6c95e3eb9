/**
 * Route policies: `"METHOD /path/pattern": public | [scopes]`, where `*` matches one path segment
 * and `**` zero or more. The most specific pattern wins (literal segments over `*` over `**`);
 * ties go to the one declared first. Unmatched routes are denied by the enforcer.
 */

export type RouteRule = 'public' | readonly string[];

export interface RoutePolicyDocument {
  api?: string;
  routes: Record<string, RouteRule>;
}

export type RouteDecision =
  | { kind: 'public'; pattern: string }
  | { kind: 'scopes'; scopes: readonly string[]; pattern: string }
  | { kind: 'unmatched' };

interface CompiledRoute {
  key: string;
  method: string;
  segments: string[];
  rule: RouteRule;
  specificity: number;
  order: number;
}

export interface CompiledPolicy {
  readonly api: string | undefined;
  readonly routes: readonly CompiledRoute[];
  match(method: string, path: string): RouteDecision;
}

/**
 * A problem in a policy document. `path` locates the offending node in the document
 * (`['routes', 'GET /x', 0]`) and `at` says whether the key or the value there is wrong, so a file
 * loader can turn it into `file:line:column`.
 */
export class PolicyError extends Error {
  readonly path: readonly (string | number)[];
  readonly at: 'key' | 'value';
  constructor(
    message: string,
    readonly route?: string,
    location: { path?: readonly (string | number)[]; at?: 'key' | 'value' } = {},
  ) {
    super(message);
    this.name = 'PolicyError';
    this.path = location.path ?? (route === undefined ? [] : ['routes', route]);
    this.at = location.at ?? 'value';
  }
}

const METHOD = /^(\*|GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/;
const SEGMENT = /^(\*\*|\*|[A-Za-z0-9._~!$&'()+,;=:@%-]+)$/;
const SCOPE = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*)(?::[A-Za-z0-9._-]+)*(?::\*)?$/;

/**
 * Validates and compiles a parsed policy document. Throws {@link PolicyError} naming the bad route.
 * @example compilePolicy({ routes: { 'GET /orders/**': ['orders:read'] } }).match('GET', '/orders/1')
 */
export function compilePolicy(doc: unknown): CompiledPolicy {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PolicyError('policy must be a mapping with a "routes" key');
  const { api, routes, ...rest } = doc as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0)
    throw new PolicyError(
      `unknown policy key "${unknownKeys[0]}" (allowed: api, routes)`,
      undefined,
      {
        path: [unknownKeys[0]!],
        at: 'key',
      },
    );
  if (api !== undefined && (typeof api !== 'string' || api === ''))
    throw new PolicyError('"api" must be a non-empty string', undefined, { path: ['api'] });
  if (typeof routes !== 'object' || routes === null || Array.isArray(routes))
    throw new PolicyError(
      '"routes" must be a mapping of "METHOD /path" to public or a list of scopes',
      undefined,
      { path: routes === undefined ? [] : ['routes'] },
    );
  const compiled: CompiledRoute[] = [];
  let order = 0;
  for (const [key, rule] of Object.entries(routes as Record<string, unknown>)) {
    const [method = '', pattern = '', extra] = key.trim().split(/\s+/);
    if (!METHOD.test(method) || extra !== undefined || !pattern.startsWith('/')) {
      throw new PolicyError(
        `route "${key}" must look like "GET /path" (methods: GET HEAD POST PUT PATCH DELETE OPTIONS *)`,
        key,
        { at: 'key' },
      );
    }
    const segments = pattern === '/' ? [] : pattern.slice(1).split('/');
    for (const [i, segment] of segments.entries()) {
      // Patterns are compared with decoded request segments, so decode literal ones the same way.
      const decoded = SEGMENT.test(segment) ? decodeSegment(segment) : null;
      if (decoded === null)
        throw new PolicyError(`route "${key}" has an invalid path segment "${segment}"`, key, {
          at: 'key',
        });
      segments[i] = decoded;
    }
    compiled.push({
      key,
      method,
      segments,
      rule: checkRule(key, rule),
      specificity: specificityOf(segments, method),
      order: order++,
    });
  }
  compiled.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
  return {
    api: api as string | undefined,
    routes: compiled,
    match(method: string, path: string): RouteDecision {
      const segments = splitPath(path);
      if (segments === null) return { kind: 'unmatched' };
      const upper = method.toUpperCase();
      for (const route of compiled) {
        const methodOk =
          route.method === '*' ||
          route.method === upper ||
          (route.method === 'GET' && upper === 'HEAD');
        if (!methodOk || !matchSegments(route.segments, 0, segments, 0)) continue;
        return route.rule === 'public'
          ? { kind: 'public', pattern: route.key }
          : { kind: 'scopes', scopes: route.rule, pattern: route.key };
      }
      return { kind: 'unmatched' };
    },
  };
}

function checkRule(key: string, rule: unknown): RouteRule {
  if (rule === 'public') return 'public';
  if (Array.isArray(rule) && rule.length > 0) {
    for (const [i, scope] of rule.entries()) {
      if (typeof scope !== 'string' || !SCOPE.test(scope))
        throw new PolicyError(
          `route "${key}": ${JSON.stringify(scope)} is not a valid scope`,
          key,
          {
            path: ['routes', key, i],
          },
        );
    }
    return rule as string[];
  }
  throw new PolicyError(`route "${key}" must map to "public" or a non-empty list of scopes`, key);
}

// A literal pattern segment must be one a request path could actually match after splitPath.
function decodeSegment(segment: string): string | null {
  if (segment === '*' || segment === '**') return segment;
  const split = splitPath(`/${segment}`);
  return split?.length === 1 ? split[0]! : null;
}

function specificityOf(segments: string[], method: string): number {
  let score = method === '*' ? 0 : 1;
  for (const s of segments) score += s === '**' ? 0 : s === '*' ? 10 : 100;
  return score;
}

function matchSegments(pattern: string[], pi: number, path: string[], si: number): boolean {
  while (pi < pattern.length) {
    const p = pattern[pi]!;
    if (p === '**') {
      for (let k = si; k <= path.length; k++)
        if (matchSegments(pattern, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.length) return false;
    if (p !== '*' && p !== path[si]) return false;
    pi++;
    si++;
  }
  return si === path.length;
}

/**
 * Splits a request path (query string ignored) into decoded segments. Returns `null` for paths
 * that could mean something else to the upstream: dot segments, empty segments (`//`), encoded
 * slashes, dots or backslashes, double encoding (`%252e`), `;` path parameters (which some servers
 * strip before routing), fragments, control characters, or invalid percent-encoding. Enforcers
 * must deny those rather than guess.
 * @example splitPath('/orders/42?x=1') // ['orders', '42']
 */
export function splitPath(path: string): string[] | null {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  // A request target never carries a fragment; one that does is an attempt to confuse someone.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (!bare.startsWith('/') || /[\\#;\x00-\x20\x7f]/.test(bare)) return null;
  if (bare === '/') return [];
  const raw = bare.slice(1).split('/');
  const out: string[] = [];
  for (const [i, segment] of raw.entries()) {
    if (segment === '' && i === raw.length - 1) break; // trailing slash
    if (segment === '' || segment === '.' || segment === '..') return null;
    if (/%(2e|2f|5c|3b|25|00)/i.test(segment)) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    out.push(decoded);
  }
  return out;
}
