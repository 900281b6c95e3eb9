import { readFileSync, writeFileSync } from 'node:fs';
import { parseDuration } from '@gatehouse/core';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { type FileConfig, readConfigFile } from '../config-file.js';

/** Every config-file setting is also a flag (commander hands flags over as strings). */
type ServeFlags = { [K in keyof FileConfig]?: string } & { config?: string };

/** Flag, then environment variable, then config file. */
function pick<K extends keyof FileConfig>(
  flag: string | undefined,
  env: string | undefined,
  file: FileConfig,
  key: K,
): string | undefined {
  const value = flag ?? env ?? file[key];
  return value === undefined ? undefined : String(value);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

function retention(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (!seconds) throw new CliError(`--audit-retention must look like 90d, got "${text}"`);
  return seconds;
}

/** `gatehouse serve`: the HTTP server. Prints the URL once ready; the root token once, to stderr. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the Gatehouse server')
    .option('--port <port>', 'port to listen on (env GATEHOUSE_PORT)', undefined)
    .option('--host <host>', 'address to bind (env GATEHOUSE_HOST)')
    .option('--data <dir>', 'SQLite data directory (env GATEHOUSE_DATA)')
    .option('--database-url <url>', 'postgres:// URL to use PostgreSQL (env DATABASE_URL)')
    .option('--redis-url <url>', 'redis:// URL for shared rate limits (env REDIS_URL)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--root-token-file <file>', 'also write the first root token here (mode 0600)')
    .option('--issuer <url>', 'public base URL used as OAuth issuer (env GATEHOUSE_ISSUER)')
    .option('--policy <file>', 'route policy for /v1/forward-auth (env GATEHOUSE_POLICY)')
    .option(
      '--audit-retention <duration>',
      'delete audit events older than this, e.g. 90d (env GATEHOUSE_AUDIT_RETENTION; default keep all)',
    )
    .option('--config <file>', 'YAML or JSON settings file')
    .action(async (flags: ServeFlags) => {
      const file = flags.config ? readConfigFile(flags.config) : {};
      const env = process.env;
      const tlsCert = pick(flags.tlsCert, undefined, file, 'tlsCert');
      const tlsKey = pick(flags.tlsKey, undefined, file, 'tlsKey');
      if (Boolean(tlsCert) !== Boolean(tlsKey))
        throw new CliError('--tls-cert and --tls-key go together');
      const rootTokenFile = pick(flags.rootTokenFile, undefined, file, 'rootTokenFile');
      // Loaded here, not at the top: management commands should not pay for the server's imports.
      const [{ createLogger }, { startServer }] = await Promise.all([
        import('../../server/logger.js'),
        import('../../server/runtime.js'),
      ]);
      const logger = createLogger();
      const server = await startServer({
        port: parsePort(pick(flags.port, env.GATEHOUSE_PORT, file, 'port') ?? '8080'),
        host: pick(flags.host, env.GATEHOUSE_HOST, file, 'host') ?? '127.0.0.1',
        dataDir: pick(flags.data, env.GATEHOUSE_DATA, file, 'data') ?? '.gatehouse',
        databaseUrl: pick(flags.databaseUrl, env.DATABASE_URL, file, 'databaseUrl'),
        redisUrl: pick(flags.redisUrl, env.REDIS_URL, file, 'redisUrl'),
        issuer: pick(flags.issuer, env.GATEHOUSE_ISSUER, file, 'issuer'),
        policyFile: pick(flags.policy, env.GATEHOUSE_POLICY, file, 'policy'),
        auditRetentionSeconds: retention(
          pick(flags.auditRetention, env.GATEHOUSE_AUDIT_RETENTION, file, 'auditRetention'),
        ),
        tls:
          tlsCert && tlsKey
            ? { cert: readFileSync(tlsCert, 'utf8'), key: readFileSync(tlsKey, 'utf8') }
            : undefined,
        logger,
        onRootToken: (secret) => {
          // The only time the root secret is ever shown. Deliberately not through the logger.
          process.stderr.write(
            `\nRoot admin token (shown once, store it now):\n\n  ${secret}\n\nexport GATEHOUSE_TOKEN=<the token above>\n\n`,
          );
          if (rootTokenFile)
            writeFileSync(rootTokenFile, `${secret}\n`, { mode: 0o600, flag: 'w' });
        },
      });
      // Handlers go in before the ready line: a supervisor that signals as soon as it reads the
      // line must never hit the default disposition (death by SIGTERM, exit code null).
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          server.close().then(resolve, (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      process.stdout.write(
        `Gatehouse listening on ${server.url} (store: ${server.ctx.store.dialect} ${server.ctx.store.location})\n`,
      );
      await stopped;
    });
}
