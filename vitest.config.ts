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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
