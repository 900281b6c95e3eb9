import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TokenVerifier } from '@gatehouse/core';
import { Pool } from 'undici';
import { type AuditSink, noopAuditSink } from '../audit/audit-sink.js';
import { authorizeRequest } from './authorize-request.js';
import { assertSafeBind, ProxyConfigError } from './bind-safety.js';
import { forwardRequest } from './forward-request.js';
import { identityHeaders } from './identity-headers.js';
import { openPolicySource, type PolicySource } from './policy-source.js';
import { auditProxyOutcome } from './proxy-audit.js';
import { type ProxyLogger, stderrLogger } from './proxy-logger.js';

export interface ProxyOptions {
  /** Base URL of the protected API (`http://127.0.0.1:3000`, optionally with a base path). */
  upstream: string;
  /** Path of the YAML route policy; reloaded on change and on SIGHUP. */
  policy: string;
  verifier: TokenVerifier;
  audit?: AuditSink;
  /** Default 8081; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve HTTPS only, with HSTS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Allow plain HTTP on a non-loopback address (behind a TLS-terminating balancer). */
  insecureHttp?: boolean;
  /** `realm` of the WWW-Authenticate challenges (default `gatehouse`). */
  realm?: string;
  /** How long the upstream may take to send headers, and between body chunks (default 30 s). */
  upstreamTimeoutMs?: number;
  /** Keep-alive connections to the upstream (default 128). */
  upstreamConnections?: number;
  logger?: ProxyLogger;
  /** Reload the policy when the file changes (default true). */
  watchPolicy?: boolean;
}

/** A running gateway. */
export interface ProxyHandle {
  /** `http://127.0.0.1:PORT` or `https://…`. */
  readonly url: string;
  readonly port: number;
  /** The policy source (current policy, version, manual reload). */
  readonly policy: PolicySource;
  /** Stops accepting, lets in-flight requests finish, closes upstream connections. */
  close(): Promise<void>;
}

const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Starts the zero-code gateway in front of an unchanged REST API.
 * @example
 * const proxy = await createProxy({ upstream: 'http://127.0.0.1:3000', policy: 'policy.yaml',
 *   verifier, audit, port: 8081 });
 * // … later
 * await proxy.close();
 */
export async function createProxy(options: ProxyOptions): Promise<ProxyHandle> {
  const host = options.host ?? '127.0.0.1';
  assertSafeBind({ host, tls: options.tls !== undefined, insecureHttp: !!options.insecureHttp });
  const upstream = parseUpstream(options.upstream);
  const logger = options.logger ?? stderrLogger;
  const audit = options.audit ?? noopAuditSink;
  const realm = options.realm ?? 'gatehouse';
  const secure = options.tls !== undefined;
  const responseHeaders: Record<string, string> = secure
    ? { 'strict-transport-security': HSTS }
    : {};
  const timeout = options.upstreamTimeoutMs ?? 30_000;
  const pool = new Pool(upstream.origin, {
    connections: options.upstreamConnections ?? 128,
    keepAliveTimeout: 30_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
  });
  const policy = await openPolicySource({
    file: options.policy,
    logger,
    watchFile: options.watchPolicy,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const ip = req.socket.remoteAddress;
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const userAgent = req.headers['user-agent'];
    const seen = { method, target, userAgent, started, ip };
    const outcome = await authorizeRequest({
      policy: policy.current,
      verifier: options.verifier,
      method,
      target,
      authorization: req.headers.authorization,
      ip,
      realm,
    });
    if (outcome.kind === 'denied') {
      const { challenge } = outcome;
      // A denied request's body is never read; Node discards it (or closes the connection).
      res.writeHead(challenge.status, {
        'content-type': 'application/json',
        ...challenge.headers,
        ...responseHeaders,
      });
      res.end(JSON.stringify(challenge.body));
      auditProxyOutcome(audit, { ...seen, outcome, status: challenge.status });
      return;
    }
    const token = outcome.kind === 'allowed' ? outcome.token : null;
    const result = await forwardRequest({
      dispatcher: pool,
      req,
      res,
      basePath: upstream.basePath,
      extraHeaders: token ? identityHeaders(token) : {},
      responseHeaders,
      clientIp: ip,
      secure,
    });
    if (result.error && result.error !== 'client_aborted')
      logger.warn({ method, status: result.status, error: result.error }, 'upstream failure');
    auditProxyOutcome(audit, { ...seen, outcome, status: result.status, error: result.error });
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      // A bug here must cost one request, never the process.
      logger.error({ error: (error as Error).message }, 'proxy request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal_error"}');
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8081, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    policy.close();
    await pool.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${secure ? 'https' : 'http'}://${shownHost}:${port}`;
  logger.info({ url, upstream: upstream.origin, policy: options.policy }, 'gatehouse proxy ready');

  return {
    url,
    port,
    policy,
    async close() {
      policy.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(force);
      await pool.close();
    },
  };
}

function parseUpstream(raw: string): { origin: string; basePath: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProxyConfigError('invalid_upstream', `--upstream "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ProxyConfigError(
      'invalid_upstream',
      `--upstream must be http(s), got ${url.protocol}`,
    );
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}
