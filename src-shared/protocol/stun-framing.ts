import { parsed, rejected, type ParseResult } from './parse-result.js';

/**
 * STUN message framing (RFC 5389 §6 and §15), checked strictly BEFORE any attribute is decoded,
 * so the server and the client only hand well-formed messages to the `stun` package's decoder
 * (which trusts lengths and throws on short input):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Magic Cookie = 0x2112A442                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Transaction ID (96 bits)                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Attribute Type (16)          |  Attribute Length (16)        |  × n, each value padded
 *   |  Value (Length bytes) + 0-3 bytes of padding to a 4-byte boundary                |
 *
 * Message Type bits: M11..M7 C1 M6..M4 C0 M3..M0 (method M, class C).
 * Message Length counts the attributes only (not the 20-byte header) and is a multiple of 4.
 * FINGERPRINT (0x8028), when present, is the last attribute and holds CRC-32 of everything
 * before it XOR 0x5354554E.
 */

export const STUN_HEADER_BYTES = 20;
export const STUN_MAGIC_COOKIE = 0x2112a442;
export const STUN_METHOD_BINDING = 0x001;
export const STUN_ATTR_FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
/**
 * Most attributes we walk in one message. A Binding message carries a handful; the cap keeps a
 * hostile 64 KiB datagram of empty attributes from costing 16k loop turns and allocations.
 */
export const MAX_STUN_ATTRIBUTES = 32;

export type StunClass = 'request' | 'indication' | 'success' | 'error';
const CLASSES: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

export interface StunRawAttribute {
  type: number;
  value: Uint8Array;
}

export interface StunFrame {
  method: number;
  messageClass: StunClass;
  transactionId: Uint8Array;
  attributes: StunRawAttribute[];
}

/** True when the first 8 bytes look like RFC 5389 STUN (no allocation; the mux's fast check). */
export function looksLikeStun(data: Uint8Array): boolean {
  return (
    data.length >= STUN_HEADER_BYTES &&
    (data[0]! & 0xc0) === 0 &&
    data[4] === 0x21 &&
    data[5] === 0x12 &&
    data[6] === 0xa4 &&
    data[7] === 0x42
  );
}

/** Checks the whole frame; never throws, whatever the bytes. */
export function parseStunFrame(data: Uint8Array): ParseResult<StunFrame> {
  if (!(data instanceof Uint8Array)) return rejected('not bytes');
  if (data.length < STUN_HEADER_BYTES)
    return rejected(`${data.length} bytes is shorter than a STUN header`);
  if ((data[0]! & 0xc0) !== 0) return rejected('the two top bits of a STUN message must be 0');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = dv.getUint16(0);
  const length = dv.getUint16(2);
  if (dv.getUint32(4) !== STUN_MAGIC_COOKIE) {
    return rejected('no RFC 5389 magic cookie (RFC 3489 messages are not served)');
  }
  if (length % 4 !== 0) return rejected(`message length ${length} is not a multiple of 4`);
  if (STUN_HEADER_BYTES + length !== data.length) {
    return rejected(`message length ${length} does not match the ${data.length}-byte datagram`);
  }
  const attributes: StunRawAttribute[] = [];
  let offset = STUN_HEADER_BYTES;
  while (offset < data.length) {
    if (attributes.length >= MAX_STUN_ATTRIBUTES) {
      return rejected(`more than ${MAX_STUN_ATTRIBUTES} attributes`);
    }
    if (offset + 4 > data.length) return rejected('truncated attribute header');
    const attrType = dv.getUint16(offset);
    const attrLength = dv.getUint16(offset + 2);
    const padded = (attrLength + 3) & ~3;
    if (offset + 4 + padded > data.length) {
      return rejected(`attribute 0x${attrType.toString(16)} runs past the end of the message`);
    }
    if (attributes.some((a) => a.type === STUN_ATTR_FINGERPRINT)) {
      return rejected('FINGERPRINT must be the last attribute');
    }
    const value = data.subarray(offset + 4, offset + 4 + attrLength);
    if (attrType === STUN_ATTR_FINGERPRINT) {
      if (attrLength !== 4) return rejected('FINGERPRINT must be 4 bytes');
      // The CRC covers the header (with the length as sent) and every attribute before this one.
      const expected = (crc32(data.subarray(0, offset)) ^ FINGERPRINT_XOR) >>> 0;
      if (dv.getUint32(offset + 4) !== expected) return rejected('FINGERPRINT does not match');
    }
    attributes.push({ type: attrType, value });
    offset += 4 + padded;
  }
  const method = (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);
  const classBits = ((type >> 4) & 1) | ((type >> 7) & 2);
  return parsed({
    method,
    messageClass: CLASSES[classBits]!,
    // A copy: callers keep it as a map key after the datagram buffer is reused.
    transactionId: Uint8Array.from(data.subarray(8, STUN_HEADER_BYTES)),
    attributes,
  });
}

/**
 * Comprehension-required attributes are 0x0000-0x7FFF (RFC 5389 §15): an agent that does not
 * understand one must not act on the message as if it did.
 */
export function isComprehensionRequired(attributeType: number): boolean {
  return attributeType < 0x8000;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, as zlib), the checksum FINGERPRINT is built on. */
export function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
