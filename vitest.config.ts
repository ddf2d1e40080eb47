import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Tests import workspace packages from source, so no build is needed to run them. */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@ferry\/core\/errors$/, replacement: `${root}packages/core/src/errors.ts` },
      { find: /^@ferry\/sync\/local$/, replacement: `${root}packages/sync/src/local-engine.ts` },
      { find: /^@ferry\/sync\/testing$/, replacement: `${root}packages/sync/src/testing/index.ts` },
      { find: /^@ferry\/(core|sync|emulators|ui)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@ferry\/(server|cli)\/testing$/, replacement: `${root}apps/$1/src/testing/index.ts` },
      { find: /^@ferry\/(server|cli|slack|zapier)$/, replacement: `${root}apps/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
