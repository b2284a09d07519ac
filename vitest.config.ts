import { defineConfig } from 'vitest/config';

/**
 * Unit tests need no services; integration and end-to-end tests run against the local stack.
 * The workspace packages under local-stack/ keep their tests beside their code; their
 * projects are named `<package>-unit` and `<package>-integration`, so `--project '*unit'`
 * runs every unit test of the repository.
 */
const packageProjects = ['runtime', 'services'].flatMap((name) => [
  { extends: true as const, test: { name: `${name}-unit`, root: `local-stack/${name}`, include: ['tests/unit/**/*.test.ts'] } },
  {
    extends: true as const,
    test: { name: `${name}-integration`, root: `local-stack/${name}`, include: ['tests/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false },
  },
]);

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], setupFiles: ['tests/setup/lambda-env.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 900_000, fileParallelism: false },
      },
      {
        extends: true,
        // Kills and restarts components of the running stack: one file at a time.
        test: { name: 'faults', include: ['tests/faults/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 900_000, fileParallelism: false },
      },
      ...packageProjects,
    ],
  },
});
