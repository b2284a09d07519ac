import { defineConfig } from 'vitest/config';

/**
 * The package's tests on their own (`npm test -w @ledgerflow/lambda-runtime`). The
 * repository's root config runs the same folders as its `runtime-unit` and
 * `runtime-integration` projects.
 */
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false },
      },
    ],
  },
});
