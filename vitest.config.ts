import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import workspace packages from source, so editing core/sdk needs no rebuild.
    alias: [
      { find: /^@gatehouse\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@gatehouse\/sdk$/, replacement: here('./packages/sdk/src/index.ts') },
      { find: /^@gatehouse\/sdk\/(.*)$/, replacement: here('./packages/sdk/src/middleware/$1.ts') },
    ],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test/global-setup.ts'],
    // One master key for the whole run (servers and spawned CLIs inherit it): servers that join
    // one store can decrypt each other's signing keys, and no key file lands in the checkout.
    env: {
      GATEHOUSE_MASTER_KEY: process.env.GATEHOUSE_MASTER_KEY ?? randomBytes(32).toString('base64'),
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
