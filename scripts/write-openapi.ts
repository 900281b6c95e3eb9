import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApiDocument } from '../src/server/openapi-document.js';

/**
 * `npm run openapi`: regenerates docs/openapi.json from a started server. Run it after adding or
 * changing a route; test/spine/openapi.test.ts fails until the committed file matches.
 */
const text = await renderOpenApiDocument();
writeFileSync(OPENAPI_FILE, text);
const paths = Object.keys((JSON.parse(text) as { paths: Record<string, unknown> }).paths).length;
process.stdout.write(`wrote ${OPENAPI_FILE} (${paths} paths)\n`);
