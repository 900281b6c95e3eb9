import type { TokenVerifier } from '@gatehouse/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decideForwardAuth } from '../../proxy/forward-auth-decision.js';
import { openPolicySource, type PolicySource } from '../../proxy/policy-source.js';
import { auditProxyOutcome } from '../../proxy/proxy-audit.js';
import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';

const PREFIX = '/v1/forward-auth';

/**
 * `/v1/forward-auth` (any method): the auth subrequest target for nginx `auth_request`, Traefik
 * ForwardAuth and Envoy ext_authz. Reads the original method/URI from `X-Original-*` or
 * `X-Forwarded-*` (or, for Envoy's `path_prefix`, from the path after `/v1/forward-auth`),
 * matches `serve --policy FILE` plus any `scopes=` and answers 200 with the identity headers,
 * or 401/403 (429, 503) per RFC 6750. The policy file is reloaded on change and on SIGHUP.
 */
export async function forwardAuthRoute(app: GatehouseApp, ctx: AppContext): Promise<void> {
  let policy: PolicySource | null = null;
  if (ctx.config.policyFile) {
    policy = await openPolicySource({ file: ctx.config.policyFile, logger: ctx.logger });
    ctx.onClose(() => policy?.close());
  }
  // One audit event per gateway request (request.proxied/denied below), not one more per verify.
  const verifier: TokenVerifier = {
    verify: (token, options) => ctx.verifier.verify(token, { ...options, audit: false }),
  };

  await app.register(async (scope) => {
    // Gateways may forward any method with any body; the body is never read, never a 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => {
      payload.resume();
      done(null, undefined);
    });
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const started = performance.now();
      const raw = request.raw.url ?? PREFIX;
      const rest = raw.slice(PREFIX.length);
      const query = request.query as Record<string, string | string[] | undefined>;
      const decision = await decideForwardAuth({
        policy: policy?.current ?? null,
        verifier,
        realm: 'gatehouse',
        headers: request.headers,
        method: request.method,
        scopesParam: rest.startsWith('/') ? undefined : query.scopes,
        pathSuffix: rest.startsWith('/') ? rest : undefined,
        peerIp: request.socket.remoteAddress,
      });
      auditProxyOutcome(ctx.audit, {
        outcome: decision.outcome,
        method: decision.original.method,
        target: decision.original.uri,
        userAgent: request.headers['user-agent'],
        status: decision.status,
        started,
        ip: decision.original.ip,
        via: 'forward-auth',
      });
      return reply
        .code(decision.status)
        .headers({ 'cache-control': 'no-store', ...decision.headers })
        .send(decision.body);
    };
    const schema = { hide: true };
    scope.all(PREFIX, { schema }, handler);
    scope.all(`${PREFIX}/*`, { schema }, handler);
  });
}
