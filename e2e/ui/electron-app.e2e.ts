import { _electron, type ElectronApplication } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary } from './support/electron-binary.js';
import { REPO_ROOT } from './support/paths.js';

const electron = findElectronBinary();
const SKIP_REASON = electron.ok
  ? ''
  : `Electron binary missing — ${electron.reason}; \`npm install\` with network access fetches it`;

let app: ElectronApplication | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the real desktop app in Electron', () => {
  it('opens a sandboxed window whose bridge is exactly the contract and shows the app state', async (ctx) => {
    ctx.skip(!electron.ok, SKIP_REASON);
    if (!electron.ok) return;
    // `.` loads package.json, whose main is dist/main/electron-main.cjs (built by global setup).
    app = await _electron.launch({
      executablePath: electron.executable,
      args: ['.'],
      cwd: REPO_ROOT,
    });
    const window = await app.firstWindow();
    window.setDefaultTimeout(10_000);
    await window.getByTestId('app-info').waitFor();
    expect(await window.getByTestId('app-info').textContent()).toMatch(
      /^LANrage \S+ · \w+ · desktop app$/,
    );
    expect(await window.getByRole('status').textContent()).toBe('Not in a party');
    // Only the contract crosses the bridge: no Node, no ipcRenderer.
    expect(await window.evaluate('Object.keys(window.lanrage.app).sort().join()')).toBe(
      'info,onNavigate,onState',
    );
    expect(await window.evaluate('Object.keys(window.lanrage).join()')).toBe(
      'app,party,relays,settings,logs,diagnostics',
    );
    expect(await window.evaluate('typeof require + typeof process')).toBe('undefinedundefined');
    const sandboxed = await app.evaluate(({ BrowserWindow }) => {
      // getLastWebPreferences exists at run time but is missing from electron.d.ts.
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as {
        getLastWebPreferences(): {
          sandbox?: boolean;
          contextIsolation?: boolean;
          nodeIntegration?: boolean;
        };
      };
      const prefs = contents.getLastWebPreferences();
      return [prefs?.sandbox, prefs?.contextIsolation, prefs?.nodeIntegration];
    });
    expect(sandboxed).toEqual([true, true, false]);
  });
});
