import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_STATES } from '../../src-shared/ipc/contract.js';
import { TRAY_ICON_FILES, trayTooltip } from './tray-state.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'assets');

/** Width and height from a PNG's IHDR chunk (bytes 16..24), after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('tray icons', () => {
  it('has a 16 px icon and a 32 px @2x icon in assets/ for every state', () => {
    for (const state of APP_STATES) {
      const file = TRAY_ICON_FILES[state];
      expect(pngSize(join(ASSETS, file))).toEqual({ width: 16, height: 16 });
      expect(pngSize(join(ASSETS, file.replace('.png', '@2x.png')))).toEqual({
        width: 32,
        height: 32,
      });
    }
  });

  it('shows connected, degraded and disconnected with three different icons', () => {
    const files = new Set([
      TRAY_ICON_FILES.connected,
      TRAY_ICON_FILES.degraded,
      TRAY_ICON_FILES.disconnected,
    ]);
    expect(files.size).toBe(3);
  });

  it('names the state in the tooltip', () => {
    expect(trayTooltip('disconnected')).toBe('LANrage — Not in a party');
    expect(trayTooltip('connected')).toBe('LANrage — Connected');
  });
});
