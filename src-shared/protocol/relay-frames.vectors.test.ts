import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.js';
import { classifyPacket } from './packet-kind.js';
import { encodeRelayData, encodeRelayDataHeader, parseRelayFrame } from './relay-frames.js';
import vectorFile from './relay-frames.vectors.json' with { type: 'json' };

/**
 * The Go helper (helper/internal/wire) checks the same file: both codecs stay byte-identical.
 * The vectors are literal data (generated once with these codecs, then frozen).
 */
interface Vectors {
  data: { name: string; routeId: string; payload: string; frame: string; header: string }[];
  invalid: { name: string; frame: string; parsesAsData: boolean }[];
  kinds: { name: string; packet: string; kind: string }[];
}

const vectors: Vectors = vectorFile;
const bytes = (hex: string) =>
  Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

describe('relay DATA frames shared with the Go helper', () => {
  it.each(vectors.data)('encodes "$name" to the shared bytes', (v) => {
    expect(toHex(encodeRelayData(bytes(v.routeId), bytes(v.payload)))).toBe(v.frame);
    expect(toHex(encodeRelayDataHeader(bytes(v.routeId)))).toBe(v.header);
  });

  it.each(vectors.data)('parses "$name" back to its route id and payload', (v) => {
    const frame = parseRelayFrame(bytes(v.frame));
    expect(frame.ok).toBe(true);
    if (!frame.ok || frame.value.type !== 3) throw new Error('not DATA');
    expect(toHex(frame.value.routeId)).toBe(v.routeId);
    expect(toHex(frame.value.payload)).toBe(v.payload);
  });

  it.each(vectors.invalid)('does not read "$name" as a DATA frame', (v) => {
    const frame = parseRelayFrame(bytes(v.frame));
    expect(frame.ok && frame.value.type === 3).toBe(v.parsesAsData);
  });

  it.each(vectors.kinds)('classifies "$name" as the Go helper does', (v) => {
    expect(classifyPacket(bytes(v.packet))).toBe(v.kind);
  });
});
