import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most integration files wait on child processes, sockets and timers rather than burn CPU, so two
    // files at a time finish the suite much sooner on a 2-core machine than vitest's default there (1).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Property tests are bounded by numRuns, not by time; on a loaded 2-core CI machine
          // the 5 s default turns a slow run into a false failure.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
