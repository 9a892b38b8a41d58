import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:hostile`: real server processes on loopback attacked as a hostile internet would,
 * while a legitimate client measures them. Files run one after another (each attack wants the two
 * shared cores to itself, and measures latency). Root is needed for the raw socket that forges a
 * source address.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/hostile/**/*.hostile.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
