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
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

declare const LANRAGE_BUNDLE_HASH: string;

/**
 * Why 5 s: the cache holds the functions compiled by then, so it is written once the start and a
 * join's first paths have run (they are the ones worth caching); a process that exits sooner
 * writes it at exit.
 */
const CACHE_WRITE_DELAY_MS = 5_000;

const here = dirname(fileURLToPath(import.meta.url));
const bundlePath = join(here, 'lanrage.cjs');
const cachePath = join(here, `lanrage.${LANRAGE_BUNDLE_HASH}.v8cache`);

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

/** Written under a private name and renamed: processes starting at once never read half a file. */
function writeCache(script: Script): void {
  const temp = `${cachePath}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cachePath);
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
