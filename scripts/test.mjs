#!/usr/bin/env node
// The one test command (README: `npm test`): static checks, build, then every suite —
// unit/integration (real sockets, real SQLite), the NAT lab (root: namespaces, nftables,
// wireguard-go) and the UI in Chromium. Ends with one line "N passed, N failed" over all suites.
import { spawnSync } from 'node:child_process';
import { findGo } from './build-helper.mjs';
import { countGoTests } from './go-test-report.mjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suites = [
  { name: 'unit and integration', config: 'vitest.config.ts' },
  { name: 'NAT lab', config: 'e2e/lab/vitest.lab.config.ts', needsRoot: true },
  // Root for the raw socket that forges a source address (relay.hostile.test.ts).
  { name: 'hostile internet', config: 'e2e/hostile/vitest.hostile.config.ts', needsRoot: true },
  { name: 'UI in Chromium', config: 'e2e/ui/vitest.e2e.config.ts' },
  // The Go WireGuard helper: unit tests (fuzz targets run their seed corpus), then two helpers
  // in network namespaces of their own pinging over the tunnel.
  { name: 'helper (Go)', config: 'helper/go.mod', go: ['./...'] },
  {
    name: 'helper in network namespaces (Go)',
    config: 'helper/go.mod',
    go: ['-tags', 'netns', './e2e/'],
    needsRoot: true,
  },
];

function run(title, command, args) {
  process.stdout.write(`\n== ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
}

const only = process.argv.slice(2);
const quick = only.length > 0;
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

if (!quick) {
  for (const [title, cmd, args] of [
    ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
    ['lint', 'npm', ['run', '--silent', 'lint']],
    ['build', 'npm', ['run', '--silent', 'build']],
    // Cross-compiles the helper for every packaged OS (wintun on Windows, utun on macOS).
    [
      'helper cross-compile',
      'node',
      ['scripts/build.mjs', '--only', 'helper', '--helper-targets', 'all'],
    ],
  ]) {
    if (run(title, cmd, args)) passed++;
    else {
      failed++;
      problems.push(title);
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'lanrage-test-'));
for (const suite of suites) {
  if (quick && !only.some((o) => suite.config.includes(o) || suite.name.includes(o))) continue;
  if (!existsSync(suite.config)) {
    process.stdout.write(`\n== ${suite.name}: ${suite.config} is missing\n`);
    failed++;
    problems.push(`${suite.name} (no config)`);
    continue;
  }
  if (suite.needsRoot && process.getuid?.() !== 0) {
    process.stdout.write(
      `\n== ${suite.name}: needs root (network namespaces, nftables, TUN). Run as root: sudo npm test\n`,
    );
    failed++;
    problems.push(`${suite.name} (not root)`);
    continue;
  }
  if (suite.go) {
    const go = findGo();
    if (!go) {
      process.stdout.write(`\n== ${suite.name}: needs the Go toolchain (go on PATH)\n`);
      failed++;
      problems.push(`${suite.name} (no go)`);
      continue;
    }
    process.stdout.write(`\n== ${suite.name}: go test ${suite.go.join(' ')}\n`);
    const result = spawnSync(go, ['test', '-json', '-count=1', ...suite.go], {
      cwd: 'helper',
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const counts = countGoTests(result.stdout ?? '');
    process.stdout.write(counts.text);
    if (result.stderr) process.stdout.write(result.stderr);
    passed += counts.passed;
    failed += counts.failed;
    if (counts.failed > 0 || result.status !== 0) {
      if (counts.failed === 0) failed++; // a build failure or a crash, with no test to blame
      problems.push(suite.name);
    }
    continue;
  }
  const report = join(work, `${suite.name.replace(/\W+/g, '-')}.json`);
  run(suite.name, 'npx', [
    'vitest',
    'run',
    '--config',
    suite.config,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) {
    failed++;
    problems.push(`${suite.name} (runner crashed)`);
    continue;
  }
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  passed += summary.numPassedTests;
  failed += summary.numFailedTests;
  skipped += summary.numPendingTests + (summary.numTodoTests ?? 0);
  if (summary.numFailedTests > 0 || summary.numFailedTestSuites > 0) {
    if (summary.numFailedTests === 0) failed += summary.numFailedTestSuites;
    problems.push(suite.name);
  }
}
rmSync(work, { recursive: true, force: true });

process.stdout.write(`\n${problems.length ? 'failed: ' + problems.join(', ') : 'all green'}\n`);
process.stdout.write(
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(failed > 0 ? 1 : 0);
