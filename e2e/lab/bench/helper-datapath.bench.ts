/**
 * The WireGuard helper's data path against raw wireguard-go, in network namespaces of its own:
 * `lanrage-helper` (custom Bind, configured through its protocol) vs wireguard-go at the same
 * pinned version with its standard Bind vs Debian's wireguard-go binary, alternating rounds,
 * medians printed as a table. The measuring lives in Go (helper/e2e/bench_test.go); this file
 * makes it part of `npm run bench` (`npm run bench -- helper-datapath`). Needs root; takes the
 * lab lock like every namespace run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const GO = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const result = spawnSync(
  'flock',
  [
    '/tmp/lanrage-lab.lock',
    GO,
    'test',
    '-tags',
    'netnsbench',
    '-run',
    'Bench',
    '-v',
    '-count=1',
    './e2e/',
  ],
  { cwd: 'helper', stdio: 'inherit' },
);
process.exit(result.status ?? 1);
