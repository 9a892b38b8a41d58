import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';

/**
 * electron-builder.yml checked offline with electron-builder's own loader and JSON schema.
 * (Packaging for real downloads Electron for each target, which this machine cannot.)
 */

const CONFIG_PATH = join(REPO_ROOT, 'electron-builder.yml');

/** The YAML as electron-builder reads it (merged with its defaults for this project). */
const loadConfig = () => getConfig(REPO_ROOT, CONFIG_PATH, null);

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('io.lanrage.app');
    expect(config.productName).toBe('LANrage');
  });

  it('targets AppImage and deb, NSIS and dmg; the deb needs only pkexec (the helper is WireGuard)', async () => {
    const config = await loadConfig();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Network');
    expect(config.deb?.depends).toEqual(['pkexec | policykit-1']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.mac?.category).toBe('public.app-category.utilities');
  });

  it('points every platform at an icon file that exists', async () => {
    const config = await loadConfig();
    for (const platform of ['linux', 'win', 'mac'] as const) {
      const icon = config[platform]?.icon;
      expect(icon, platform).toBeTruthy();
      expect(existsSync(join(REPO_ROOT, icon ?? '')), `${platform}: ${icon}`).toBe(true);
    }
  });

  it('packs the built app, not the sources', async () => {
    // electron-builder normalises `files` into one file set: [{ filter: [...patterns] }].
    const [fileSet] = (await loadConfig()).files as Array<{ filter: string[] }>;
    const files = fileSet?.filter ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/main/**',
        'dist/renderer/**',
        'dist/assets/**',
      ]),
    );
    expect(files.some((pattern) => pattern.startsWith('src'))).toBe(false);
    const main = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string }
    ).main;
    expect(main).toBe('dist/main/electron-main.cjs');
  });
});
