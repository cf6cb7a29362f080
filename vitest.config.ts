import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@codeyard/service-kit': src('./packages/service-kit/src/index.ts'),
      '@codeyard/contracts': src('./packages/contracts/src/index.ts'),
      '@codeyard/test-kit': src('./packages/test-kit/src/index.ts'),
      '@codeyard/api-client': src('./packages/api-client/src/index.ts'),
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
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], exclude: ['e2e/browser/**'], globalSetup: ['e2e/global-setup.ts'] },
      },
      {
        // The web client in Chromium against the built system, web client included.
        extends: true,
        test: { name: 'browser', include: ['e2e/browser/**/*.test.ts'], globalSetup: ['e2e/global-setup.ts'], testTimeout: 60_000 },
      },
      {
        // Components of the web client in jsdom.
        extends: './web/vite.config.ts',
        test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'], environment: 'jsdom', globals: true, setupFiles: ['web/test/setup.ts'] },
      },
    ],
  },
});
