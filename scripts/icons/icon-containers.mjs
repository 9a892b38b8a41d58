// Windows .ico and macOS .icns writers, so both come from the same drawing without tools that
// are not installed here (no ImageMagick, no iconutil).
//
// ICO (little-endian):
//   ICONDIR      reserved u16 = 0 | type u16 = 1 | count u16
//   ICONDIRENTRY width u8 (0 = 256) | height u8 | colours u8 = 0 | reserved u8 | planes u16 = 1
//                | bit count u16 = 32 | bytes u32 | offset u32            (16 bytes, one per image)
//   image        256 px: a whole PNG file. Smaller: a DIB — BITMAPINFOHEADER (40 bytes, height
//                doubled for the AND mask) | BGRA rows bottom-up | 1-bit AND mask rows padded to
//                4 bytes. Small sizes are DIBs because older Windows shell code and NSIS
//                installers read only DIBs there; PNG-in-ICO is safe only at 256.
//
// ICNS (big-endian):
//   header       'icns' | total length u32
//   element      OSType (4 ASCII) | length u32 including these 8 bytes | PNG file
import { encodePng } from './png-encode.mjs';

/** @param {Array<{ size: number, rgba: Uint8Array }>} images */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const bodies = images.map(({ size, rgba }) =>
    size >= 256 ? encodePng(size, size, rgba) : dib(size, rgba),
  );
  const directory = Buffer.alloc(16 * images.length);
  let offset = header.length + directory.length;
  images.forEach(({ size }, i) => {
    const entry = i * 16;
    directory[entry] = size >= 256 ? 0 : size;
    directory[entry + 1] = size >= 256 ? 0 : size;
    directory.writeUInt16LE(1, entry + 4);
    directory.writeUInt16LE(32, entry + 6);
    directory.writeUInt32LE(bodies[i].length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += bodies[i].length;
  });
  return Buffer.concat([header, directory, ...bodies]);
}

function dib(size, rgba) {
  const maskStride = Math.ceil(size / 32) * 4;
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8);
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(size * size * 4 + maskStride * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    const src = (size - 1 - y) * size * 4;
    for (let x = 0; x < size; x++) {
      const s = src + x * 4;
      const d = (y * size + x) * 4;
      pixels[d] = rgba[s + 2];
      pixels[d + 1] = rgba[s + 1];
      pixels[d + 2] = rgba[s];
      pixels[d + 3] = rgba[s + 3];
    }
  }
  // All-zero AND mask: with 32-bit pixels Windows takes transparency from the alpha channel.
  return Buffer.concat([info, pixels, Buffer.alloc(maskStride * size)]);
}

/** @param {Array<{ type: string, png: Buffer }>} elements */
export function encodeIcns(elements) {
  const parts = elements.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([header, ...parts]);
}

/** ICNS element types holding PNG data, by pixel size (retina types reuse the doubled size). */
export const ICNS_TYPES = [
  { type: 'icp4', size: 16 },
  { type: 'icp5', size: 32 },
  { type: 'ic11', size: 32 },
  { type: 'ic12', size: 64 },
  { type: 'ic07', size: 128 },
  { type: 'ic08', size: 256 },
  { type: 'ic13', size: 256 },
  { type: 'ic09', size: 512 },
  { type: 'ic14', size: 512 },
  { type: 'ic10', size: 1024 },
];
