import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { ASSETS_DIR } from './support/paths.js';

/**
 * The icons come from our own encoder (scripts/make-icons.mjs), so a real decoder checks them:
 * Chromium's. Each image must decode at its declared size with a transparent corner (the tile
 * has margins; tray icons have no background) and an opaque centre-ish pixel.
 */

interface Decoded {
  width: number;
  height: number;
  cornerAlpha: number;
  opaquePixels: number;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
});

async function decode(bytes: Buffer, type: string): Promise<Decoded> {
  const base64 = bytes.toString('base64');
  // A string, because this code runs in the page (the test's tsconfig has no DOM types).
  return page.evaluate(`(async () => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: ${JSON.stringify(type)} }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let opaquePixels = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] === 255) opaquePixels++;
    return { width: bitmap.width, height: bitmap.height, cornerAlpha: data[3], opaquePixels };
  })()`);
}

const asset = (name: string) => readFileSync(join(ASSETS_DIR, name));

describe('app and tray icons', () => {
  it('decodes icon.png as a 512×512 tile with transparent margins', async () => {
    const icon = await decode(asset('icon.png'), 'image/png');
    expect(icon).toMatchObject({ width: 512, height: 512, cornerAlpha: 0 });
    expect(icon.opaquePixels).toBeGreaterThan(512 * 512 * 0.5);
  });

  it.each(['connected', 'degraded', 'disconnected'])(
    'decodes the %s tray icon at 16 px and 32 px',
    async (state) => {
      for (const [name, size] of [
        [`tray-${state}.png`, 16],
        [`tray-${state}@2x.png`, 32],
      ] as const) {
        const icon = await decode(asset(name), 'image/png');
        expect(icon).toMatchObject({ width: size, height: size, cornerAlpha: 0 });
        expect(icon.opaquePixels).toBeGreaterThan(0);
      }
    },
  );

  it('holds 16 to 256 px images in icon.ico, each decodable', async () => {
    const ico = asset('icon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + i * 16;
      const size = ico[entry] === 0 ? 256 : (ico[entry] ?? -1);
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + length).toBeLessThanOrEqual(ico.length);
      // Repackage each entry as a one-image .ico, so Chromium decodes exactly that one.
      const single = Buffer.concat([
        Buffer.from([0, 0, 1, 0, 1, 0]),
        ico.subarray(entry, entry + 12),
        Buffer.from(Uint32Array.of(22).buffer),
        ico.subarray(offset, offset + length),
      ]);
      const decoded = await decode(single, 'image/x-icon');
      expect(decoded).toMatchObject({ width: size, height: size, cornerAlpha: 0 });
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('holds PNGs from 16 to 1024 px in icon.icns, each the size its type declares', async () => {
    const icns = asset('icon.icns');
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const expectedSize: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      ic11: 32,
      ic12: 64,
      ic07: 128,
      ic08: 256,
      ic13: 256,
      ic09: 512,
      ic14: 512,
      ic10: 1024,
    };
    const seen: string[] = [];
    for (let offset = 8; offset < icns.length;) {
      const type = icns.subarray(offset, offset + 4).toString('ascii');
      const length = icns.readUInt32BE(offset + 4);
      const decoded = await decode(icns.subarray(offset + 8, offset + length), 'image/png');
      expect(decoded.width, type).toBe(expectedSize[type]);
      seen.push(type);
      offset += length;
    }
    expect(seen.sort()).toEqual(Object.keys(expectedSize).sort());
  });
});
