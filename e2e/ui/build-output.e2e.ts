import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_STATES } from '../../src-shared/ipc/contract.js';
import { findElectronBinary } from './support/electron-binary.js';
import { DIST, REPO_ROOT } from './support/paths.js';

/** Every `require("x")` a CommonJS bundle makes at run time. */
function requiresOf(bundle: string): string[] {
  const code = readFileSync(join(DIST, bundle), 'utf8');
  return [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? ''))].sort();
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/** Mirrors MAIN_EXTERNALS in scripts/build.mjs: what the packaged app must provide. */
const MAIN_MAY_REQUIRE = new Set(['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate']);

describe('the shell build (scripts/build.mjs)', () => {
  it('bundles main so that it requires only electron, Node built-ins and native modules', () => {
    const foreign = requiresOf('main/electron-main.cjs').filter(
      (name) => !NODE_BUILTINS.has(name) && !MAIN_MAY_REQUIRE.has(name),
    );
    expect(foreign).toEqual([]);
  });

  it('bundles the preload whole: a sandboxed preload may require only electron', () => {
    expect(requiresOf('main/preload.cjs')).toEqual(['electron']);
  });

  it('ships the renderer with its CSP and without inline scripts', () => {
    const html = readFileSync(join(DIST, 'renderer', 'index.html'), 'utf8');
    expect(html).toContain(`script-src 'self'`);
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    for (const [, attributes, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(attributes).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
  });

  it('copies the window icon and a 1x and 2x tray icon per state next to the bundles', () => {
    expect(existsSync(join(DIST, 'assets', 'icon.png'))).toBe(true);
    for (const state of APP_STATES.filter((s) => s !== 'connecting')) {
      expect(existsSync(join(DIST, 'assets', `tray-${state}.png`))).toBe(true);
      expect(existsSync(join(DIST, 'assets', `tray-${state}@2x.png`))).toBe(true);
    }
  });
});

describe('npm start without the Electron binary', () => {
  it('says plainly what is missing and how to get it, and exits 1', (ctx) => {
    ctx.skip(
      findElectronBinary().ok,
      'the Electron binary is installed here, so npm start would open the app',
    );
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'start-electron.mjs')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the Electron binary is missing');
    expect(result.stderr).toContain('npm install');
    expect(result.stderr).toContain('What works without Electron');
  });
});

describe('bin/ shims', () => {
  it('tell the user to build first when their bundle is missing', () => {
    // The shared loader every shim uses, pointed at a bundle that is never built.
    const script = `import { loadBundle } from './bin/load-bundle.js';
      await loadBundle('lanrage-test', 'cli/never-built.js');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^lanrage-test: dist\/cli\/never-built\.js is missing — run `npm run build` first/,
    );
  });

  it.each(['lanrage-control', 'lanrage-relay', 'lanrage-stun', 'lanrage'])(
    'has an executable %s shim that loads its bundle through the shared loader',
    (name) => {
      const shim = readFileSync(join(REPO_ROOT, 'bin', `${name}.js`), 'utf8');
      expect(shim.startsWith('#!/usr/bin/env node\n')).toBe(true);
      expect(shim).toMatch(new RegExp(`loadBundle\\('${name}', '(server|cli)/${name}\\.js'\\)`));
      expect(statSync(join(REPO_ROOT, 'bin', `${name}.js`)).mode & 0o111).not.toBe(0);
    },
  );
});
