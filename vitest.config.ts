import { configDefaults, defineConfig } from 'vitest/config';

/** The end-to-end tests: the bundled action and CLI, each run a child process of dist/. */
const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One worker per core: the end-to-end tests spawn processes of their own.
    maxWorkers: 2,
    // Every file's temporary folders in one folder of the run's, removed however the run ends; a file
    // that leaves one of its own behind fails.
    globalSetup: ['test/helpers/temp-run.ts'],
    setupFiles: ['test/helpers/temp-file.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, E2E] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: [E2E],
          // Tests made with concurrentTest (test/helpers/emulator.ts) run this many at a time in a file.
          maxConcurrency: 5,
        },
      },
    ],
  },
});
