import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError } from './cli-error.js';

/** Keys a `--config FILE` (YAML or JSON) may set; flags and env win over it. */
export interface FileConfig {
  port?: number;
  host?: string;
  data?: string;
  databaseUrl?: string;
  redisUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  rootTokenFile?: string;
  issuer?: string;
  policy?: string;
  /** A duration such as `90d`. */
  auditRetention?: string;
}

const KEYS: Record<keyof FileConfig, 'string' | 'number'> = {
  port: 'number',
  host: 'string',
  data: 'string',
  databaseUrl: 'string',
  redisUrl: 'string',
  tlsCert: 'string',
  tlsKey: 'string',
  rootTokenFile: 'string',
  issuer: 'string',
  policy: 'string',
  auditRetention: 'string',
};

/**
 * Reads and checks a config file; unknown keys and wrong types are errors naming the key.
 * @example readConfigFile('gatehouse.yaml') // { port: 8080, databaseUrl: 'postgres://…' }
 */
export function readConfigFile(path: string): FileConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new CliError(`config file ${path} must be a mapping of settings`);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const type = KEYS[key as keyof FileConfig];
    if (!type)
      throw new CliError(
        `config file ${path}: unknown setting "${key}" (known: ${Object.keys(KEYS).join(', ')})`,
      );
    if (typeof value !== type)
      throw new CliError(`config file ${path}: "${key}" must be a ${type}`);
    config[key] = value;
  }
  return config as FileConfig;
}
