import { type Command, InvalidArgumentError } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { connectionFromEnv } from '../connection.js';
import { durationSeconds } from '../option-parsers.js';

interface ProxyFlags {
  upstream: string;
  policy: string;
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  data?: string;
  databaseUrl?: string;
  redisUrl?: string;
  remote?: string;
  upstreamTimeout?: number;
}

function port(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new InvalidArgumentError('Use 0 to 65535.');
  return value;
}

/**
 * `gatehouse proxy`: the zero-code gateway (src/proxy). Prints its URL once it listens; SIGTERM
 * and SIGINT drain in-flight requests and exit 0; SIGHUP reloads the policy (the proxy module
 * listens for it).
 */
export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description(
      'protect an unchanged REST API: verify tokens against a route policy, then forward',
    )
    .requiredOption('--upstream <url>', 'base URL of the API to protect')
    .requiredOption('--policy <file>', 'YAML route policy (reloaded on change and SIGHUP)')
    .option('--port <port>', 'port to listen on (default 8081; 0 picks a free one)', port)
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS only, with HSTS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--insecure-http', 'allow plain HTTP on a non-loopback address (behind a TLS balancer)')
    .option('--data <dir>', 'SQLite data directory shared with serve (env GATEHOUSE_DATA)')
    .option('--database-url <url>', 'postgres:// URL shared with serve (env DATABASE_URL)')
    .option('--redis-url <url>', 'redis:// URL for shared rate limits (env REDIS_URL)')
    .option(
      '--remote <url>',
      'verify through this Gatehouse server instead (needs GATEHOUSE_TOKEN)',
    )
    .option(
      '--upstream-timeout <duration>',
      'longest wait for the upstream (default 30s)',
      durationSeconds,
    )
    .action(async (flags: ProxyFlags) => {
      const env = process.env;
      if (flags.remote && (flags.data || flags.databaseUrl))
        throw new CliError('give --remote or --data/--database-url, not both', EXIT.usage);
      const remote = flags.remote
        ? connectionFromEnv({ GATEHOUSE_URL: flags.remote, GATEHOUSE_TOKEN: env.GATEHOUSE_TOKEN })
        : undefined;
      // Loaded here so that management commands do not pay for the proxy's imports.
      const { runProxyCommand } = await import('../../proxy/run-proxy-command.js');
      let proxy: Awaited<ReturnType<typeof runProxyCommand>>;
      try {
        proxy = await runProxyCommand({
          upstream: flags.upstream,
          policy: flags.policy,
          port: flags.port ?? 8081,
          host: flags.host,
          tlsCert: flags.tlsCert,
          tlsKey: flags.tlsKey,
          insecureHttp: flags.insecureHttp,
          remote,
          dataDir: remote ? undefined : (flags.data ?? env.GATEHOUSE_DATA ?? '.gatehouse'),
          databaseUrl: remote ? undefined : (flags.databaseUrl ?? env.DATABASE_URL),
          redisUrl: flags.redisUrl ?? env.REDIS_URL,
          upstreamTimeoutMs: flags.upstreamTimeout ? flags.upstreamTimeout * 1000 : undefined,
        });
      } catch (error) {
        // Bad options and bad policy files are the user's to fix: one line, exit 2.
        const name = (error as Error).name;
        if (name === 'ProxyConfigError' || name === 'PolicyFileError')
          throw new CliError((error as Error).message, EXIT.usage);
        throw error;
      }
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          proxy.close().then(resolve, (error: unknown) => {
            process.stderr.write(`gatehouse: proxy shutdown failed: ${(error as Error).message}\n`);
            process.exitCode = EXIT.api;
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      process.stdout.write(`Gatehouse proxy listening on ${proxy.url} → ${flags.upstream}\n`);
      await stopped;
    });
}
