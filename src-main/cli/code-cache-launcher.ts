/**
 * `dist/cli/lanrage.js`: starts the headless client's bundle (`lanrage.cjs` beside it) from a V8
 * code cache. Node 20 keeps no compile cache of its own (module.enableCompileCache is Node 22), and
 * compiling the ~0.9 MB bundle and the functions its start runs was about a third of the CPU of
 * every `lanrage up` before its first line — on the way to a join's first ping (issue #7).
 *
 * The cache is named by the bundle's content hash (the build passes it in), because V8 checks only
 * its own version, its flags and the source's length: a rebuilt bundle of the same length must
 * never run an old cache. V8 refuses a cache made by another V8 or with other flags; then this
 * process compiles as usual and writes a cache that fits. Nothing here may fail a start: a cache
 * that cannot be read or written (a read-only install) only costs the time it would have saved.
 * Where the cache lives, and why only there: code-cache-dir.ts.
 */
import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { chooseCacheDir } from './code-cache-dir.js';

declare const LANRAGE_BUNDLE_HASH: string;

/**
 * Why 5 s: the cache holds the functions compiled by then, so it is written once the start and a
 * join's first paths have run (they are the ones worth caching); a process that exits sooner
 * writes it at exit.
 */
const CACHE_WRITE_DELAY_MS = 5_000;

const CACHE_NAME = /^lanrage\.[0-9a-f]{16}\.v8cache$/;

const here = dirname(fileURLToPath(import.meta.url));
const bundlePath = join(here, 'lanrage.cjs');
const cacheDir = chooseCacheDir({
  bundleDir: here,
  platform: process.platform,
  uid: process.geteuid?.(),
  home: homeOfUser(),
  xdgCacheHome: process.env.XDG_CACHE_HOME,
});
const cacheName = `lanrage.${LANRAGE_BUNDLE_HASH}.v8cache`;
const cachePath = cacheDir === null ? null : join(cacheDir, cacheName);

function homeOfUser(): string {
  try {
    return userInfo().homedir;
  } catch {
    return '';
  }
}

function readCache(): Buffer | undefined {
  if (cachePath === null) return undefined;
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

/**
 * Written under a private name and renamed: processes starting at once never read half a file.
 * Caches of other builds in the same directory go (a user's cache directory outlives rebuilds).
 */
function writeCache(script: Script): void {
  if (cacheDir === null || cachePath === null) return;
  const temp = `${cachePath}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    renameSync(temp, cachePath);
    for (const name of readdirSync(cacheDir)) {
      if (CACHE_NAME.test(name) && name !== cacheName) unlinkSync(join(cacheDir, name));
    }
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was written.
    }
  }
}

const cached = readCache();
// The shebang line is no JavaScript inside the CommonJS wrapper.
const source = readFileSync(bundlePath, 'utf8').replace(/^#!.*/, '');
const script = new Script(Module.wrap(source), {
  filename: bundlePath,
  ...(cached ? { cachedData: cached } : {}),
});
if (cached === undefined || script.cachedDataRejected === true) {
  let written = false;
  const writeOnce = (): void => {
    if (written) return;
    written = true;
    writeCache(script);
  };
  setTimeout(writeOnce, CACHE_WRITE_DELAY_MS).unref();
  process.once('exit', writeOnce);
}

// The bundle runs as the CommonJS module it was built as, with its own require and paths.
const bundle = new Module(bundlePath);
bundle.filename = bundlePath;
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;
run.call(bundle.exports, bundle.exports, createRequire(bundlePath), bundle, bundlePath, here);
