import { describe, expect, it } from 'vitest';
import { chooseElevation, PKEXEC } from './privileged-helper.js';

describe('chooseElevation', () => {
  it('starts the packaged helper through pkexec for a normal user on Linux', () => {
    expect(
      chooseElevation({
        platform: 'linux',
        isRoot: false,
        pkexecInstalled: true,
        resourcesPath: '/opt/LANrage/resources',
      }),
    ).toEqual({
      ok: true,
      helperPath: '/opt/LANrage/resources/helper/lanrage-helper',
      helperElevation: [PKEXEC],
    });
  });

  it('uses the helper the build made, directly, when already root in a checkout', () => {
    expect(
      chooseElevation({
        platform: 'linux',
        isRoot: true,
        pkexecInstalled: false,
        resourcesPath: null,
      }),
    ).toEqual({
      ok: true,
      helperPath: null,
      helperElevation: [],
    });
  });

  it('says pkexec is missing instead of failing later', () => {
    const choice = chooseElevation({
      platform: 'linux',
      isRoot: false,
      pkexecInstalled: false,
      resourcesPath: null,
    });
    expect(choice.ok).toBe(false);
    if (!choice.ok) expect(choice.message).toMatch(/^pkexec is not installed/);
  });

  it('says Windows and macOS elevation is not built yet', () => {
    for (const platform of ['win32', 'darwin'] as const) {
      const choice = chooseElevation({
        platform,
        isRoot: false,
        pkexecInstalled: false,
        resourcesPath: 'C:\\LANrage',
      });
      expect(choice.ok).toBe(false);
    }
  });
});
