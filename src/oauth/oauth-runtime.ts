import type { Clock, RandomSource } from '@gatehouse/core';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { loadMasterKey } from './master-key.js';
import { OAuthService } from './oauth-service.js';

/**
 * Builds the OAuth service for a server process: loads the master key (env or key file), makes
 * sure a signing key exists, and warns when the key file was just created.
 * @example const oauth = await createOAuthRuntime({ store, clock, random, dataDir, logger, issuer });
 */
export async function createOAuthRuntime(options: {
  store: Store;
  clock: Clock;
  random: RandomSource;
  dataDir: string;
  logger: Logger;
  issuer: () => string;
}): Promise<OAuthService> {
  const masterKey = loadMasterKey({ env: process.env, dataDir: options.dataDir });
  if (masterKey.source === 'created') {
    options.logger.warn(
      { path: masterKey.path },
      'created a master key file for signing keys; back it up, or set GATEHOUSE_MASTER_KEY (required when several nodes share a store)',
    );
  }
  const oauth = new OAuthService({
    store: options.store,
    clock: options.clock,
    random: options.random,
    masterKey,
    issuer: options.issuer,
  });
  await oauth.keys.ensureSigningKey();
  return oauth;
}
