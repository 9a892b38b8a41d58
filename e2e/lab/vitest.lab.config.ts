import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The NAT lab suite: real namespaces, nftables, wireguard-go, as root. Files run one after
 * another — each builds its own lab, and two at once on two shared cores would only skew the
 * timing checks — with timeouts sized for building a topology (~2 s) plus its traffic.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    // *.lab.test.ts need root and build namespaces; plain *.test.ts here are the lab's pure logic.
    include: ['e2e/lab/**/*.test.ts'],
    globalSetup: ['e2e/lab/lab-global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
