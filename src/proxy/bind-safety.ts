import { isIP } from 'node:net';

/** A proxy configuration that must not start. `code` is stable for callers and the CLI. */
export class ProxyConfigError extends Error {
  constructor(
    readonly code: 'insecure_bind' | 'invalid_upstream' | 'invalid_tls',
    message: string,
  ) {
    super(message);
    this.name = 'ProxyConfigError';
  }
}

/**
 * Whether a bind address only accepts connections from this machine.
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return /^::ffff:127\./i.test(bare);
}

/**
 * Refuses plain HTTP on a reachable address: bearer tokens would cross the network in clear.
 * @example assertSafeBind({ host: '0.0.0.0', tls: false, insecureHttp: false }) // throws
 */
export function assertSafeBind(options: {
  host: string;
  tls: boolean;
  insecureHttp: boolean;
}): void {
  if (options.tls || options.insecureHttp || isLoopbackHost(options.host)) return;
  throw new ProxyConfigError(
    'insecure_bind',
    `refusing to serve plain HTTP on ${options.host}: bearer tokens would travel in clear. ` +
      'Give --tls-cert and --tls-key, bind a loopback address, or pass --insecure-http ' +
      '(only behind a TLS-terminating load balancer).',
  );
}
