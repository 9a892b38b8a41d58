import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The CLI's launcher (dist/cli/lanrage.js), built as `npm run build` builds it, in front of a
 * small CommonJS bundle: it runs the bundle as a module with its own require, writes the code
 * cache named by the hash the build gives it, reuses a cache V8 accepts and replaces one it
 * refuses.
 */
const HASH = '0123456789abcdef';
const CACHE = `lanrage.${HASH}.v8cache`;
let dir: string;

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function launcherIn(bundleSource: string): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'lanrage-launcher-'));
  writeFileSync(join(dir, 'lanrage.cjs'), bundleSource);
  await build({
    entryPoints: [join(import.meta.dirname, 'code-cache-launcher.ts')],
    outfile: join(dir, 'lanrage.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    define: { LANRAGE_BUNDLE_HASH: JSON.stringify(HASH) },
    logLevel: 'warning',
  });
  return join(dir, 'lanrage.js');
}

const run = (launcher: string, ...args: string[]): string =>
  execFileSync(process.execPath, [launcher, ...args], { encoding: 'utf8' });

describe('the CLI code-cache launcher', () => {
  it('runs the bundle as a CommonJS module with its arguments, and caches its code on exit', async () => {
    const launcher = await launcherIn(
      '#!/usr/bin/env node\n' +
        'const { basename } = require("node:path");\n' +
        'process.stdout.write([basename(__filename), typeof module.exports, process.argv[2]].join(" "));\n',
    );
    expect(readdirSync(dir)).not.toContain(CACHE);
    expect(run(launcher, 'up')).toBe('lanrage.cjs object up');
    expect(statSync(join(dir, CACHE)).size).toBeGreaterThan(0);
  });

  it('keeps a cache V8 accepts, and replaces one it refuses', async () => {
    const launcher = await launcherIn('process.stdout.write("ran");\n');
    run(launcher);
    const made = readFileSync(join(dir, CACHE));
    expect(run(launcher)).toBe('ran');
    expect(readFileSync(join(dir, CACHE)).equals(made)).toBe(true);
    const garbage = Buffer.from('not a V8 code cache');
    writeFileSync(join(dir, CACHE), garbage);
    expect(run(launcher)).toBe('ran');
    const remade = readFileSync(join(dir, CACHE));
    expect(remade.equals(garbage)).toBe(false);
    // The new cache is one V8 takes: the next start leaves it as it is.
    run(launcher);
    expect(readFileSync(join(dir, CACHE)).equals(remade)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
