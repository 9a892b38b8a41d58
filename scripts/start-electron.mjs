#!/usr/bin/env node
// `npm start`: builds what is stale, then runs the desktop app in Electron.
// Where the Electron binary is missing (it is downloaded by `npm install`, which needs network
// access), it says so plainly, names the alternatives, and exits 1.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuild } from './build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the app needs in dist/, and the sources it is built from. */
const OUTPUTS = [
  'dist/main/electron-main.cjs',
  'dist/main/preload.cjs',
  'dist/renderer/index.html',
  'dist/assets/icon.png',
];
const SOURCES = ['src-main', 'src-shared', 'src-renderer', 'assets'];
const SHELL_STEPS = ['main', 'preload', 'assets', 'renderer'];

/**
 * The Electron executable, or why there is none. `require('electron')` from plain Node returns
 * the path of the binary that the electron package's postinstall downloaded (path.txt names it);
 * it throws when that download never happened.
 */
export function findElectron(root = ROOT) {
  const require = createRequire(join(root, 'package.json'));
  let executable;
  try {
    executable = require('electron');
  } catch (error) {
    const packageDir = existsSync(join(root, 'node_modules', 'electron'));
    return {
      ok: false,
      reason: packageDir
        ? `node_modules/electron is installed but its binary is not (${firstLine(error)})`
        : 'the electron package is not installed (node_modules/electron is missing)',
    };
  }
  if (typeof executable !== 'string' || !existsSync(executable)) {
    return { ok: false, reason: `the Electron binary ${String(executable)} does not exist` };
  }
  return { ok: true, executable };
}

function firstLine(error) {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

export function shellBuildIsStale(root = ROOT) {
  const outputs = OUTPUTS.map((out) => join(root, out));
  if (outputs.some((out) => !existsSync(out))) return true;
  const oldestOutput = Math.min(...outputs.map((out) => statSync(out).mtimeMs));
  return SOURCES.some((source) => newestMtime(join(root, source)) > oldestOutput);
}

function explainMissingElectron(reason) {
  const lines = [
    'LANrage: cannot start the desktop app — the Electron binary is missing.',
    `  Why: ${reason}.`,
    '  Fix: run `npm install` on a machine with network access; the electron package downloads',
    '       its binary (about 100 MB, from GitHub) while installing.',
    '',
    'What works without Electron — the same app in your browser (web mode):',
    '  npm run build && sudo node bin/lanrage.js up --control URL --name NAME --ui 7480',
    '                                     then open the http://127.0.0.1:7480/#token=… address it',
    '                                     prints; create or join a party there',
    "  sudo npm run lab -- --ui           a sample party in the NAT lab, one player's UI in your browser",
    '',
    'Also:',
    '  npm run build                      build the UI, the servers and the shell',
    '  node bin/lanrage-control.js --help the control server (also lanrage-relay, lanrage-stun)',
  ];
  if (existsSync(join(ROOT, 'src-main', 'cli', 'main.ts'))) {
    lines.push('  node bin/lanrage.js --help         the headless client (no desktop needed)');
  }
  lines.push(
    '  npx vitest run -c e2e/ui/vitest.e2e.config.ts   the UI, tested in Chromium (web mode)',
  );
  return lines.join('\n');
}

async function main() {
  const electron = findElectron();
  if (!electron.ok) {
    console.error(explainMissingElectron(electron.reason));
    process.exit(1);
  }
  if (shellBuildIsStale()) await runBuild(SHELL_STEPS);

  const env = { ...process.env };
  // Set by some tools; it would make Electron behave as plain Node and ignore our app.
  delete env.ELECTRON_RUN_AS_NODE;
  // `.` loads package.json, whose "main" is dist/main/electron-main.cjs, so app name, version
  // and userData directory come from package.json.
  const child = spawn(electron.executable, ['.', ...process.argv.slice(2)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
