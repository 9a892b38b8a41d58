#!/usr/bin/env node
// `npm run bench`: every **/bench/*.bench.ts in turn (servers, then the NAT lab), each printing its
// figures beside the baseline it measured in the same run. `npm run bench -- relay` runs the
// benchmarks whose path contains "relay".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.bench.ts') && dir.endsWith('bench')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const benches = ['src-server', 'e2e', 'src-main']
  .flatMap((root) => find(root))
  .filter((path) => filters.length === 0 || filters.some((f) => path.includes(f)))
  .sort();
let failures = 0;
for (const bench of benches) {
  process.stdout.write(`\n### ${bench}\n`);
  const result = spawnSync('npx', ['tsx', bench], { stdio: 'inherit' });
  if (result.status !== 0) {
    failures++;
    process.stdout.write(`### ${bench} failed (exit ${result.status})\n`);
  }
}
process.exit(failures > 0 ? 1 : 0);
