import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@codeyard/service-kit': src('./packages/service-kit/src/index.ts'),
      '@codeyard/contracts': src('./packages/contracts/src/index.ts'),
      '@codeyard/test-kit': src('./packages/test-kit/src/index.ts'),
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'services', include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'] },
      },
      {
        // Through the gateway against the built system (`npm test` builds first).
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], globalSetup: ['e2e/global-setup.ts'] },
      },
    ],
  },
});
