import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
} from 'fastify';
import {
  type Authenticator,
  checkScopes,
  createAuthenticator,
  type GatehouseIdentity,
  type GatehouseMiddlewareOptions,
} from './authenticate.js';

export type { GatehouseIdentity, GatehouseMiddlewareOptions } from './authenticate.js';

/** Per-route settings in a route's `config.gatehouse`: its scopes, or `false` for a public route. */
export type GatehouseRouteConfig = { scopes?: string[] } | false;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the Gatehouse hook once the token is verified (null on public routes). */
    gatehouse: GatehouseIdentity | null;
  }
  interface FastifyContextConfig {
    gatehouse?: GatehouseRouteConfig;
  }
}

/**
 * Fastify plugin: an `onRequest` hook on every route registered after it in this instance
 * (not encapsulated). Route scopes come from `config.gatehouse.scopes` (checked at route
 * registration), else from the plugin's `scopes`; `config: { gatehouse: false }` makes a route public.
 * @example
 * await app.register(gatehousePlugin, { verifier });
 * app.get('/orders', { config: { gatehouse: { scopes: ['orders:read'] } } }, async (req) => req.gatehouse);
 */
export const gatehousePlugin: FastifyPluginCallback<GatehouseMiddlewareOptions> =
  function gatehousePlugin(fastify, options, done): void {
    const auth = createAuthenticator(options);
    decorate(fastify);
    // Route configs are validated once, at registration; fastify copies the config object
    // shallowly, so the inner `gatehouse` object is the stable key.
    const routeScopes = new WeakMap<object, readonly string[]>();
    fastify.addHook('onRoute', (route) => {
      const config = route.config?.gatehouse;
      if (config) routeScopes.set(config, checkScopes(config.scopes ?? []));
    });
    fastify.addHook('onRequest', function gatehouseOnRequest(request, reply, next) {
      const config = request.routeOptions.config.gatehouse;
      if (config === false) return next();
      const scopes = config
        ? (routeScopes.get(config) ?? checkScopes(config.scopes ?? []))
        : undefined;
      run(auth, request, reply, scopes).then(() => next(), next);
    });
    done();
  };

// Equivalent to fastify-plugin's wrapper: the hook applies to the registering instance.
Object.assign(gatehousePlugin, { [Symbol.for('skip-override')]: true });

/**
 * A route-level `onRequest` hook, for protecting individual routes without the plugin.
 * @example app.get('/orders', { onRequest: gatehouseHook({ verifier, scopes: ['orders:read'] }) }, handler);
 */
export function gatehouseHook(options: GatehouseMiddlewareOptions): onRequestHookHandler {
  const auth = createAuthenticator(options);
  return function gatehouseOnRequest(request, reply, next): void {
    run(auth, request, reply, undefined).then(() => next(), next);
  };
}

async function run(
  auth: Authenticator,
  request: FastifyRequest,
  reply: FastifyReply,
  scopes: readonly string[] | undefined,
): Promise<void> {
  const outcome = await auth.authenticate(
    {
      header: (name) => request.headers[name],
      url: request.url,
      ip: request.ip,
      method: request.method,
    },
    scopes,
  );
  if (outcome.ok) {
    request.gatehouse = outcome.identity;
    return;
  }
  await reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
}

function decorate(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator('gatehouse')) fastify.decorateRequest('gatehouse', null);
}
