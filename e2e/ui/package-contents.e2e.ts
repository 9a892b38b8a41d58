import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';

/**
 * What electron-builder packs must exist once `npm run build` has run (this suite's global setup
 * builds): every file the config copies beside the app (extraFiles / extraResources, with
 * ${arch} as x64), the renderer, the icons, the polkit policy. Packaging itself downloads
 * Electron and cannot run here; a missing input is caught here instead of on a release machine.
 */
type CopySpec = string | { from?: string; to?: string };

function fromsOf(specs: unknown): string[] {
  const list = (Array.isArray(specs) ? specs : specs ? [specs] : []) as CopySpec[];
  return list.map((s) => (typeof s === 'string' ? s : (s.from ?? ''))).filter(Boolean);
}

describe('the package inputs in the build output', () => {
  it('has every file the Linux package copies beside the app (helper, polkit policy)', async () => {
    const config = await getConfig(REPO_ROOT, join(REPO_ROOT, 'electron-builder.yml'), null);
    const froms = [
      ...fromsOf(config.extraResources),
      ...fromsOf(config.extraFiles),
      ...fromsOf(config.linux?.extraResources),
      ...fromsOf(config.linux?.extraFiles),
    ].map((from) => from.replaceAll('${arch}', 'x64'));
    expect(froms).toContain('packaging/linux/io.lanrage.helper.policy');
    const missing = froms.filter((from) => !existsSync(join(REPO_ROOT, from)));
    expect(missing).toEqual([]);
  });

  it('has the renderer, the main bundle, the preload and the runtime icons in dist/', () => {
    for (const file of [
      'dist/renderer/index.html',
      'dist/main/electron-main.cjs',
      'dist/main/preload.cjs',
      'dist/assets/icon.png',
      'dist/assets/tray-connected.png',
      'dist/assets/tray-degraded.png',
      'dist/assets/tray-disconnected.png',
    ]) {
      expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    }
  });

  it('ships a polkit policy whose action the helper launcher names, for the packaged helper path', () => {
    const policy = readFileSync(
      join(REPO_ROOT, 'packaging/linux/io.lanrage.helper.policy'),
      'utf8',
    );
    expect(policy).toContain('<action id="io.lanrage.helper">');
    expect(policy).toContain(
      '<annotate key="org.freedesktop.policykit.exec.path">/opt/LANrage/resources/helper/lanrage-helper</annotate>',
    );
  });

  it('installs the policy from the deb and removes it with the package', async () => {
    const config = await getConfig(REPO_ROOT, join(REPO_ROOT, 'electron-builder.yml'), null);
    const deb = config.deb as { afterInstall?: string; afterRemove?: string } | undefined;
    expect(readFileSync(join(REPO_ROOT, deb?.afterInstall ?? 'none'), 'utf8')).toContain(
      '/usr/share/polkit-1/actions/io.lanrage.helper.policy',
    );
    expect(readFileSync(join(REPO_ROOT, deb?.afterRemove ?? 'none'), 'utf8')).toContain(
      'rm -f /usr/share/polkit-1/actions/io.lanrage.helper.policy',
    );
  });
});
