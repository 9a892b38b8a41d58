import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** UI end-to-end tests: the built renderer in real Chromium, packaging checks. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['e2e/ui/**/*.e2e.ts'],
    globalSetup: ['e2e/ui/build.global-setup.ts'],
    pool: 'forks',
    // One browser at a time: the machine has two cores shared with other test runs.
    maxWorkers: 1,
    fileParallelism: false,
    // Chromium's first start on a cold, busy machine takes seconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
