import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/runtime.js';

/**
 * One Gatehouse server process for the propagation bench. Argument: JSON store options
 * (`{dataDir}` or `{databaseUrl}`). Sends `{url, rootToken}` to the parent over IPC, exits on
 * the parent's `stop` message.
 */
const storeOptions = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir?: string;
  databaseUrl?: string;
};
let rootToken = '';
const server = await startServer({
  ...storeOptions,
  port: 0,
  logger: createLogger({ level: 'silent' }),
  onRootToken: (secret) => {
    rootToken = secret;
  },
});
process.send?.({ url: server.url, rootToken });
process.on('message', (message) => {
  if (message === 'stop') void server.close().then(() => process.exit(0));
});
