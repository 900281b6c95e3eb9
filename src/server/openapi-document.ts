import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from './logger.js';
import { startServer } from './runtime.js';

/** Where the committed copy of the OpenAPI document lives, relative to the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** The command that regenerates {@link OPENAPI_FILE}. */
export const OPENAPI_COMMAND = 'npm run openapi';

/**
 * Starts a real server on a throwaway SQLite store, fetches `GET /openapi.json` and returns it
 * as stable, pretty-printed text. The committed `docs/openapi.json` is exactly this text, so a
 * test can tell when routes changed without regenerating it.
 * @example writeFileSync(OPENAPI_FILE, await renderOpenApiDocument());
 */
export async function renderOpenApiDocument(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
  try {
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logger: createLogger({ level: 'silent' }),
      // The throwaway store's root token is never shown.
      onRootToken: () => {},
    });
    try {
      const res = await fetch(`${server.url}/openapi.json`);
      if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
      return `${JSON.stringify(await res.json(), null, 2)}\n`;
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
