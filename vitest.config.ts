import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end tests spawn the bundled action; several at once would fight for the two cores.
    maxWorkers: 2,
  },
});
