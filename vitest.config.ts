import { defineConfig } from 'vitest/config';

const EXCLUSIVE = ['test/integration/ingest-wal-checkpointer.test.ts'];

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
          exclude: EXCLUSIVE,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Files whose assertion is about how much CPU a worker thread gets (the WAL checkpointer keeping
        // up with a writer that never pauses) run alone, after everything else: a later group starts
        // only when the earlier ones are done.
        test: {
          name: 'integration-alone',
          include: EXCLUSIVE,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
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
