import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseCacheDir, userCacheDir } from './code-cache-dir.js';

/**
 * The CLI's launcher (dist/cli/lanrage.js), built as `npm run build` builds it, in front of a
 * small CommonJS bundle: it runs the bundle as a module with its own require, writes the code
 * cache named by the hash the build gives it, reuses a cache V8 accepts and replaces one it
 * refuses — only in a directory its user owns and nobody else may write (code-cache-dir.ts).
 */
const HASH = '0123456789abcdef';
const CACHE = `lanrage.${HASH}.v8cache`;
let dir: string;

let cacheHome: string | null = null;

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (cacheHome !== null) rmSync(cacheHome, { recursive: true, force: true });
  cacheHome = null;
});

async function launcherIn(bundleSource: string): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'lanrage-launcher-'));
  writeFileSync(join(dir, 'lanrage.cjs'), bundleSource);
  // As scripts/build.mjs builds it: CommonJS, in a directory whose package.json says so.
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  await build({
    entryPoints: [join(import.meta.dirname, 'code-cache-launcher.ts')],
    outfile: join(dir, 'lanrage.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    banner: {
      js: 'const __lanrageImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    define: {
      'import.meta.url': '__lanrageImportMetaUrl',
      LANRAGE_BUNDLE_HASH: JSON.stringify(HASH),
    },
    logLevel: 'warning',
  });
  return join(dir, 'lanrage.js');
}

const run = (launcher: string, ...args: string[]): string =>
  execFileSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome ?? '/nonexistent-lanrage-test' },
  });

/** A fresh $XDG_CACHE_HOME for the launcher (mkdtemp makes it 0700, ours). */
function useCacheHome(): string {
  cacheHome = mkdtempSync(join(tmpdir(), 'lanrage-cache-home-'));
  return cacheHome;
}

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

  it('writes no cache into a bundle directory others may write, but into the user cache directory', async () => {
    const launcher = await launcherIn('process.stdout.write("ran");\n');
    // Group-writable: not ours alone (as a user's checkout is not root's).
    chmodSync(dir, 0o775);
    const home = useCacheHome();
    expect(run(launcher)).toBe('ran');
    expect(readdirSync(dir).filter((name) => name.endsWith('.v8cache'))).toEqual([]);
    const cacheFile = join(home, 'lanrage', CACHE);
    expect(statSync(cacheFile).size).toBeGreaterThan(0);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'lanrage')).mode & 0o777).toBe(0o700);
  });

  it('drops the caches of other builds from its directory when it writes one', async () => {
    const launcher = await launcherIn('process.stdout.write("ran");\n');
    const old = 'lanrage.fedcba9876543210.v8cache';
    writeFileSync(join(dir, old), 'an older build');
    writeFileSync(join(dir, 'notes.v8cache'), 'not ours');
    run(launcher);
    expect(
      readdirSync(dir)
        .filter((name) => name.endsWith('.v8cache'))
        .sort(),
    ).toEqual([CACHE, 'notes.v8cache']);
  });

  it('keeps no cache at all when neither place is private to it', async () => {
    const launcher = await launcherIn('process.stdout.write("ran");\n');
    chmodSync(dir, 0o775);
    const home = useCacheHome();
    mkdirSync(join(home, 'lanrage'));
    chmodSync(join(home, 'lanrage'), 0o777);
    expect(run(launcher)).toBe('ran');
    expect(readdirSync(dir).filter((name) => name.endsWith('.v8cache'))).toEqual([]);
    expect(readdirSync(join(home, 'lanrage'))).toEqual([]);
  });
});

describe('the code cache directory', () => {
  it("is not another user's: a tree owned by someone else (root running a user's build) is passed over, and so is their cache directory", () => {
    dir = mkdtempSync(join(tmpdir(), 'lanrage-launcher-'));
    const home = useCacheHome();
    const context = {
      bundleDir: dir,
      platform: 'linux' as const,
      // Someone else: both directories belong to this test's user.
      uid: process.geteuid!() + 1,
      home: '/nonexistent-home',
      xdgCacheHome: home,
    };
    expect(chooseCacheDir(context)).toBeNull();
    expect(chooseCacheDir({ ...context, uid: process.geteuid!() })).toBe(dir);
  });

  it('is ~/.cache/lanrage from the user database home without $XDG_CACHE_HOME, and ~/Library/Caches/lanrage on macOS', () => {
    const base = { bundleDir: '/opt/lanrage/dist/cli', uid: 1000, home: '/home/ana' };
    expect(userCacheDir({ ...base, platform: 'linux', xdgCacheHome: undefined })).toBe(
      '/home/ana/.cache/lanrage',
    );
    expect(userCacheDir({ ...base, platform: 'linux', xdgCacheHome: 'relative/dir' })).toBe(
      '/home/ana/.cache/lanrage',
    );
    expect(userCacheDir({ ...base, platform: 'linux', xdgCacheHome: '/tmp/c' })).toBe(
      '/tmp/c/lanrage',
    );
    expect(userCacheDir({ ...base, platform: 'darwin', xdgCacheHome: '/tmp/c' })).toBe(
      '/home/ana/Library/Caches/lanrage',
    );
  });
});
