#!/usr/bin/env node
// Draws every LANrage icon from code, so they are reproducible and reviewable:
//   assets/icon.png (512), assets/icon.ico (16–256), assets/icon.icns (16–1024),
//   assets/tray-{connected,degraded,disconnected}.png (16) and @2x (32).
// Run: node scripts/make-icons.mjs   (writes into assets/; the PNGs are committed)
//
// The mark: three hosts joined into one LAN — a triangle of nodes and links. The tray variants
// say the state by shape as well as colour (all links = connected, a link missing = degraded,
// no links = disconnected), so they read on any panel and for colour-blind users.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeIcns, encodeIco, ICNS_TYPES } from './icons/icon-containers.mjs';
import { encodePng } from './icons/png-encode.mjs';
import {
  Canvas,
  capsule,
  circle,
  hex,
  roundedRect,
  union,
  verticalGradient,
} from './icons/raster.mjs';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

const BRAND_TOP = hex('#ff8a3d');
const BRAND_BOTTOM = hex('#ff2d6f');
const BACKGROUND_TOP = hex('#262b52');
const BACKGROUND_BOTTOM = hex('#0d0f20');

/** Tray colours; chosen to be told apart on both dark and light panels. */
export const TRAY_STATES = {
  connected: { colour: hex('#2fd07a'), links: [0, 1, 2] },
  degraded: { colour: hex('#ffb020'), links: [0, 1] },
  disconnected: { colour: hex('#9aa3ad'), links: [] },
};

function triangle(nodes, linkHalfWidth, links) {
  const [a, b, c] = nodes;
  const pairs = [
    [a, b],
    [a, c],
    [b, c],
  ];
  return links.map((i) => capsule(...pairs[i][0], ...pairs[i][1], linkHalfWidth));
}

/** At or below this size the holes and thin links of the full mark blur into mud. */
const SMALL_ICON_MAX_PX = 32;

export function drawAppIcon(size) {
  const small = size <= SMALL_ICON_MAX_PX;
  const canvas = new Canvas(size);
  // Large: the transparent margin macOS and Windows expect around a tile. Small: every pixel counts.
  const half = small ? 0.47 : 0.42;
  const tile = verticalGradient(BACKGROUND_TOP, BACKGROUND_BOTTOM, 0.5 - half, 0.5 + half);
  canvas.fill(roundedRect(0.5, 0.5, half, half, small ? 0.16 : 0.19), tile);
  const nodes = small
    ? [
        [0.5, 0.27],
        [0.25, 0.7],
        [0.75, 0.7],
      ]
    : [
        [0.5, 0.3],
        [0.285, 0.67],
        [0.715, 0.67],
      ];
  const brand = verticalGradient(BRAND_TOP, BRAND_BOTTOM, 0.22, 0.78);
  canvas.fill(union(...triangle(nodes, small ? 0.05 : 0.027, [0, 1, 2])), brand);
  canvas.fill(union(...nodes.map(([x, y]) => circle(x, y, small ? 0.12 : 0.092))), brand);
  if (!small) {
    // Each host gets a "screen": the tile showing through, drawn over the links.
    canvas.fill(union(...nodes.map(([x, y]) => circle(x, y, 0.04))), tile);
  }
  return canvas.toRgba8();
}

export function drawTrayIcon(size, state) {
  const { colour, links } = TRAY_STATES[state];
  const canvas = new Canvas(size);
  const nodes = [
    [0.5, 0.22],
    [0.19, 0.76],
    [0.81, 0.76],
  ];
  if (links.length > 0) canvas.fill(union(...triangle(nodes, 0.065, links)), colour);
  canvas.fill(union(...nodes.map(([x, y]) => circle(x, y, 0.17))), colour);
  return canvas.toRgba8();
}

function main() {
  mkdirSync(ASSETS, { recursive: true });
  const written = [];
  const write = (name, bytes) => {
    writeFileSync(join(ASSETS, name), bytes);
    written.push(`${name} (${bytes.length} bytes)`);
  };

  const appIcons = new Map();
  const appIcon = (size) => {
    if (!appIcons.has(size)) appIcons.set(size, drawAppIcon(size));
    return appIcons.get(size);
  };

  write('icon.png', encodePng(512, 512, appIcon(512)));
  write(
    'icon.ico',
    encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, rgba: appIcon(size) }))),
  );
  write(
    'icon.icns',
    encodeIcns(
      ICNS_TYPES.map(({ type, size }) => ({ type, png: encodePng(size, size, appIcon(size)) })),
    ),
  );
  for (const state of Object.keys(TRAY_STATES)) {
    write(`tray-${state}.png`, encodePng(16, 16, drawTrayIcon(16, state)));
    write(`tray-${state}@2x.png`, encodePng(32, 32, drawTrayIcon(32, state)));
  }
  console.log(`make-icons: wrote ${written.length} files to ${ASSETS}\n  ${written.join('\n  ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
