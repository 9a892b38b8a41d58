#!/usr/bin/env node
// Builds everything LANrage ships into dist/:
//
//   dist/main/electron-main.cjs   Electron main (CommonJS, node platform; electron and native
//                                 modules stay external, everything else is bundled)
//   dist/main/preload.cjs         preload (CommonJS: a sandboxed preload cannot be an ES module;
//                                 bundled whole, zod included, since it may only require electron)
//   dist/assets/                  icons the shell loads at run time (tray states, window icon)
//   dist/renderer/                the UI (vite + React)
//   dist/server/lanrage-*.js      control, relay and STUN servers (ESM, packages external)
//   dist/cli/lanrage.cjs          the headless client (CommonJS; its packages bundled in,
//                                 minified: `lanrage up`'s start is on the path of every join)
//   dist/cli/lanrage.js           its launcher (CommonJS, as dist/cli/package.json declares): runs
//                                 lanrage.cjs from a V8 code cache (src-main/cli/code-cache-launcher.ts)
//
// Optional entries (servers, CLI) are skipped with a message while their source does not exist
// yet, and built as soon as it does.
//
// Usage: node scripts/build.mjs [--only main,preload,assets,renderer,servers,cli,helper]
//                               [--helper-targets native|all]
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build as esbuild } from 'esbuild';
import { buildHelper } from './build-helper.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** Electron 38 embeds Node 22; the servers and CLI run on the Node this repo requires (20). */
const ELECTRON_NODE_TARGET = 'node22';
const SERVER_NODE_TARGET = 'node20';

/**
 * Packages the main bundle must not inline: electron is provided by the runtime; native modules
 * load a .node binary relative to their own package (electron-builder unpacks them from the
 * asar); bufferutil and utf-8-validate are optional native speed-ups `ws` tries to require.
 */
export const MAIN_EXTERNALS = ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate'];

/** import.meta in a CommonJS bundle is empty; code that asks for its own location gets this. */
const CJS_IMPORT_META_BANNER =
  'const __lanrageImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';
const CJS_IMPORT_META_DEFINE = {
  'import.meta.url': '__lanrageImportMetaUrl',
  'import.meta.dirname': '__dirname',
  'import.meta.filename': '__filename',
};

/**
 * The CLI bundles its packages: resolving and loading winston, zod, ws… file by file from
 * node_modules took ~0.1 s of every `lanrage up` (issue #7, join → first ping). Natives stay out.
 * It is CommonJS so that its launcher can compile it with a V8 code cache (Node 20 has no API
 * for that with ES modules).
 */
const CLI_EXTERNALS = MAIN_EXTERNALS.filter((name) => name !== 'electron');

const OPTIONAL_ENTRIES = [
  { group: 'servers', entry: 'src-server/control/main.ts', out: 'server/lanrage-control.js' },
  { group: 'servers', entry: 'src-server/relay/main.ts', out: 'server/lanrage-relay.js' },
  { group: 'servers', entry: 'src-server/stun/main.ts', out: 'server/lanrage-stun.js' },
];

const RUNTIME_ASSETS = /^(icon\.png|tray-[a-z]+(@2x)?\.png)$/;

const STEPS = {
  main: () =>
    bundleCjs('src-main/electron/electron-main.ts', 'main/electron-main.cjs', MAIN_EXTERNALS, {
      banner: { js: CJS_IMPORT_META_BANNER },
      define: CJS_IMPORT_META_DEFINE,
    }),
  // No import.meta shim here: a sandboxed preload may require only electron, events, timers and
  // url, so the bundle must not require anything else (build-output.e2e.ts checks).
  preload: () => bundleCjs('src-main/preload/preload.ts', 'main/preload.cjs', ['electron'], {}),
  assets: copyRuntimeAssets,
  renderer: buildRenderer,
  servers: () => buildOptional('servers'),
  cli: buildCli,
  // The Go WireGuard helper; `--helper-targets all` also cross-builds every packaged OS/arch.
  helper: () => buildHelper(ROOT, DIST, { targets: helperTargets }),
};

let helperTargets = 'native';

async function bundleCjs(entry, out, external, extra) {
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: join(DIST, out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: ELECTRON_NODE_TARGET,
    external,
    // Minified: Electron parses these on every start; names kept and maps beside for stack traces.
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    ...extra,
  });
  return [out];
}

async function buildOptional(group) {
  const built = [];
  for (const { entry, out } of OPTIONAL_ENTRIES.filter((e) => e.group === group)) {
    if (!existsSync(join(ROOT, entry))) {
      console.log(`  skipped ${out}: ${entry} does not exist yet`);
      continue;
    }
    await esbuild({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile: join(DIST, out),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: SERVER_NODE_TARGET,
      // Servers install their dependencies (npm ci); bundling them would only hide native ones.
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    built.push(out);
  }
  return built;
}

async function buildCli() {
  const bundle = 'cli/lanrage.cjs';
  await bundleCjs('src-main/cli/main.ts', bundle, CLI_EXTERNALS, {
    target: SERVER_NODE_TARGET,
    banner: { js: CJS_IMPORT_META_BANNER },
    // NODE_ENV: winston's debug helper (@dabh/diagnostics) picks its build by it at load; the
    // development one pulls in colour libraries, ~6 ms of each start, to print nothing unless
    // DEBUG names winston. No LANrage code reads NODE_ENV.
    define: { ...CJS_IMPORT_META_DEFINE, 'process.env.NODE_ENV': '"production"' },
    // Without keepNames: it wraps every function and class of the bundle in a naming call at
    // load, ~10 ms of CPU of each `lanrage up` before its first line (issue #7), and LANrage
    // reads no function's name. Stack traces: `node --enable-source-maps` maps them (.map beside).
    keepNames: false,
  });
  // The launcher names the code cache by the bundle's content (see code-cache-launcher.ts).
  const hash = createHash('sha256')
    .update(readFileSync(join(DIST, bundle)))
    .digest('hex')
    .slice(0, 16);
  for (const name of readdirSync(join(DIST, 'cli'))) {
    if (name.endsWith('.v8cache')) rmSync(join(DIST, 'cli', name));
  }
  // The launcher is CommonJS too, and dist/cli/package.json says so (the repository's is "module"):
  // Node starts a CommonJS main module without its ES module loader, ~5 ms less CPU per start.
  writeFileSync(join(DIST, 'cli/package.json'), '{ "type": "commonjs" }\n');
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src-main/cli/code-cache-launcher.ts'],
    outfile: join(DIST, 'cli/lanrage.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: SERVER_NODE_TARGET,
    define: { ...CJS_IMPORT_META_DEFINE, LANRAGE_BUNDLE_HASH: JSON.stringify(hash) },
    banner: { js: `#!/usr/bin/env node\n${CJS_IMPORT_META_BANNER}` },
    logLevel: 'warning',
  });
  return [bundle, 'cli/lanrage.js', 'cli/package.json'];
}

function copyRuntimeAssets() {
  const from = join(ROOT, 'assets');
  const to = join(DIST, 'assets');
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).filter((name) => RUNTIME_ASSETS.test(name));
  if (files.length === 0) throw new Error('assets/ has no icons: run node scripts/make-icons.mjs');
  for (const name of files) copyFileSync(join(from, name), join(to, name));
  return files.map((name) => `assets/${name}`);
}

async function buildRenderer() {
  // Vite takes the mode from NODE_ENV when it is set, and test runners set it to "test":
  // that would ship React's development build.
  process.env.NODE_ENV = 'production';
  // Imported here so building only main/preload does not pay for loading vite.
  const { build: viteBuild } = await import('vite');
  await viteBuild({
    configFile: join(ROOT, 'src-renderer', 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
  });
  return ['renderer/'];
}

function sizeOf(path) {
  const full = join(DIST, path);
  if (!existsSync(full)) return '';
  const stat = statSync(full);
  if (stat.isFile()) return `${(stat.size / 1024).toFixed(1)} KiB`;
  let total = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const child = join(dir, name);
      const s = statSync(child);
      if (s.isDirectory()) walk(child);
      else if (!name.endsWith('.map')) total += s.size;
    }
  };
  walk(full);
  return `${(total / 1024).toFixed(1)} KiB without maps`;
}

export async function runBuild(only = Object.keys(STEPS)) {
  const unknown = only.filter((name) => !(name in STEPS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown build step ${unknown.join(', ')}; known: ${Object.keys(STEPS).join(', ')}`,
    );
  }
  for (const name of only) {
    const started = performance.now();
    console.log(`build ${name}`);
    const outputs = await STEPS[name]();
    const ms = Math.round(performance.now() - started);
    for (const out of outputs) console.log(`  dist/${out}  ${sizeOf(out)}`);
    console.log(`  done in ${ms} ms`);
  }
  console.log(`build: ${only.join(', ')} → ${relative(process.cwd(), DIST) || '.'}/`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, 'helper-targets': { type: 'string' } },
  });
  if (values['helper-targets'] !== undefined) {
    if (!['native', 'all'].includes(values['helper-targets'])) {
      console.error('build failed: --helper-targets is native or all');
      process.exit(1);
    }
    helperTargets = values['helper-targets'];
  }
  const only = values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  runBuild(only).catch((error) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
