import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  createAuthenticator,
  type GatehouseIdentity,
  type GatehouseMiddlewareOptions,
} from './authenticate.js';

export type { GatehouseIdentity, GatehouseMiddlewareOptions } from './authenticate.js';

/** The Hono env this middleware adds: `c.get('gatehouse')`. */
export type GatehouseEnv = { Variables: { gatehouse: GatehouseIdentity } };

declare module 'hono' {
  interface ContextVariableMap {
    gatehouse: GatehouseIdentity;
  }
}

export interface GatehouseHonoOptions extends GatehouseMiddlewareOptions {
  /** The client address for IP allowlists. Default: the Node socket (`@hono/node-server`). */
  getIp?(c: Context): string | undefined;
}

/**
 * Hono middleware: verifies the bearer token and sets `c.get('gatehouse')`, or answers per RFC 6750.
 * @example
 * app.get('/orders', gatehouse({ verifier, scopes: ['orders:read'] }), (c) => c.json(c.get('gatehouse')));
 */
export function gatehouse(options: GatehouseHonoOptions): MiddlewareHandler<GatehouseEnv> {
  const auth = createAuthenticator(options);
  const getIp = options.getIp ?? nodeSocketIp;
  return async function gatehouseAuth(c, next) {
    const outcome = await auth.authenticate({
      header: (name) => c.req.header(name),
      // The full URL: only its query is inspected (tokens in URLs are refused); parsing it into a
      // URL object on every request would cost more than the cached verification itself.
      url: c.req.url,
      method: c.req.method,
      ip: getIp(c),
    });
    if (!outcome.ok) {
      return c.json(outcome.body, outcome.status as ContentfulStatusCode, outcome.headers);
    }
    c.set('gatehouse', outcome.identity);
    await next();
    return undefined;
  };
}

function nodeSocketIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}
