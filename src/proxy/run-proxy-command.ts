import { readFile } from 'node:fs/promises';
import { assertSafeBind, ProxyConfigError } from './bind-safety.js';
import { createProxy } from './create-proxy.js';
import { loadPolicyFile } from './policy-file.js';
import { type ProxyLogger, stderrLogger } from './proxy-logger.js';
import { type ProxyBackend, remoteBackend, storeBackend } from './proxy-verifiers.js';

/** `gatehouse proxy` options, already parsed by the CLI. */
export interface ProxyCommandOptions {
  upstream: string;
  policy: string;
  port?: number | undefined;
  host?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  insecureHttp?: boolean | undefined;
  /** `--remote URL` with `GATEHOUSE_TOKEN`: verify through a Gatehouse server. */
  remote?: { url: string; token: string } | undefined;
  /** Otherwise the store, as `serve` opens it. */
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  upstreamTimeoutMs?: number | undefined;
  logger?: ProxyLogger | undefined;
}

export interface ProxyCommandHandle {
  url: string;
  /** Stops accepting, finishes in-flight requests, flushes the audit log, closes the store. */
  close(): Promise<void>;
}

/**
 * Runs the gateway the way `gatehouse proxy` does: picks the verifier (store or `--remote`),
 * reads the TLS files and starts listening. Throws `ProxyConfigError` / `PolicyFileError` for
 * bad options, before anything listens.
 * @example
 * const proxy = await runProxyCommand({ upstream: 'http://127.0.0.1:3000', policy: 'policy.yaml',
 *   port: 8081, dataDir: '.gatehouse' });
 * process.once('SIGTERM', () => void proxy.close());
 */
export async function runProxyCommand(options: ProxyCommandOptions): Promise<ProxyCommandHandle> {
  const logger = options.logger ?? stderrLogger;
  const tls = await readTls(options.tlsCert, options.tlsKey);
  // Refuse bad options before opening a store or connecting to a server.
  const host = options.host ?? '127.0.0.1';
  assertSafeBind({ host, tls: tls !== undefined, insecureHttp: !!options.insecureHttp });
  await loadPolicyFile(options.policy);
  const backend: ProxyBackend = options.remote
    ? await remoteBackend({ ...options.remote, logger })
    : await storeBackend({ ...options, logger });
  try {
    const proxy = await createProxy({
      upstream: options.upstream,
      policy: options.policy,
      verifier: backend.verifier,
      audit: backend.audit,
      port: options.port,
      host,
      tls,
      insecureHttp: options.insecureHttp,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      logger,
    });
    return {
      url: proxy.url,
      async close() {
        await proxy.close();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

async function readTls(
  cert: string | undefined,
  key: string | undefined,
): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new ProxyConfigError('invalid_tls', '--tls-cert and --tls-key must be given together');
  try {
    return { cert: await readFile(cert), key: await readFile(key) };
  } catch (error) {
    throw new ProxyConfigError('invalid_tls', `cannot read TLS files: ${(error as Error).message}`);
  }
}
