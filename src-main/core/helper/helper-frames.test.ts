import { describe, expect, it } from 'vitest';
import { mutate, randomBytes, seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import {
  encodeFrame,
  encodeProbeSend,
  encodeSend,
  FrameReader,
  FrameType,
  MAX_FRAME_LENGTH,
  parseDatagram,
  parseProbeDatagram,
} from './helper-frames.js';
import { parseEvent, parseResponse } from './helper-protocol.js';
import { loadProtocolVectors } from './helper-vectors.js';

const vectors = loadProtocolVectors();
const TYPES = {
  request: 1,
  response: 2,
  event: 3,
  datagram: 4,
  send: 5,
  'probe-send': 6,
  'probe-datagram': 7,
} as const;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('helper frames against the shared vectors', () => {
  for (const v of vectors.frames) {
    it(`reads "${v.name}" as a ${v.type} frame`, () => {
      const { frames, error } = new FrameReader().push(Buffer.from(v.hex, 'hex'));
      expect(error).toBeNull();
      expect(frames).toHaveLength(1);
      expect(frames[0]!.type).toBe(TYPES[v.type]);
      if (v.json !== undefined)
        expect(JSON.parse(frames[0]!.body.toString('utf8'))).toEqual(v.json);
      if (v.type === 'datagram') {
        const d = parseDatagram(frames[0]!.body);
        expect(d.ok && { ...d.value.from, payload: hex(d.value.payload) }).toEqual({
          host: v.address!.host,
          port: v.address!.port,
          payload: v.payloadHex,
        });
      }
    });
    if (v.type === 'probe-datagram') {
      it(`reads "${v.name}" with its probe socket`, () => {
        const body = new FrameReader().push(Buffer.from(v.hex, 'hex')).frames[0]!.body;
        const d = parseProbeDatagram(body);
        expect(
          d.ok && { socket: d.value.socket, ...d.value.from, payload: hex(d.value.payload) },
        ).toEqual({
          socket: v.socket,
          host: v.address!.host,
          port: v.address!.port,
          payload: v.payloadHex,
        });
      });
    }
    if (v.type === 'probe-send') {
      it(`encodes "${v.name}" byte for byte`, () => {
        const to = { host: v.address!.host, port: v.address!.port };
        const payload = Buffer.from(v.payloadHex!, 'hex');
        expect(hex(encodeProbeSend(v.socket!, to, payload, v.ttl))).toBe(v.hex);
      });
    }
    if (v.type === 'send') {
      it(`encodes "${v.name}" byte for byte`, () => {
        const to = { host: v.address!.host, port: v.address!.port };
        expect(hex(encodeSend(to, Buffer.from(v.payloadHex!, 'hex'), v.ttl))).toBe(v.hex);
      });
    }
    if (v.type === 'request') {
      it(`encodes "${v.name}" byte for byte`, () => {
        const body = Buffer.from(JSON.stringify(v.json));
        expect(hex(encodeFrame(FrameType.Request, body))).toBe(v.hex);
      });
    }
  }

  it('parses the response and event vectors into their shapes', () => {
    const body = (name: string) =>
      new FrameReader().push(Buffer.from(vectors.frames.find((f) => f.name === name)!.hex, 'hex'))
        .frames[0]!.body;
    expect(parseResponse(body('hello answered'))).toEqual({
      id: 1,
      ok: true,
      result: { version: 2, helper: 'lanrage-helper 0.1.0', pid: 4242 },
    });
    expect(parseResponse(body('refused'))).toEqual({
      id: 3,
      ok: false,
      error: { code: 'unknown-peer', message: 'no peer with that key' },
    });
    expect(parseEvent(body('error event'))).toEqual({
      event: 'error',
      code: 'bad-send',
      message: 'port 0',
    });
  });

  it('stops at a length of zero or over 65536, as the helper does', () => {
    expect(new FrameReader().push(Buffer.from('0000000001', 'hex')).error).toBe(
      'frame length 0 is outside 1-65536',
    );
    const reader = new FrameReader();
    expect(reader.push(Buffer.from('0001000101', 'hex')).error).toBe(
      'frame length 65537 is outside 1-65536',
    );
    // A broken stream stays broken: no frame is ever read from it again.
    expect(reader.push(Buffer.from(vectors.frames[0]!.hex, 'hex')).frames).toEqual([]);
  });

  it('refuses to send what the helper would refuse', () => {
    const to = { host: '192.0.2.1', port: 9 };
    expect(() => encodeSend({ host: '192.0.2.1', port: 0 }, Buffer.from([1]))).toThrow(/port 0/);
    expect(() => encodeSend({ host: 'fe80::1%eth0', port: 9 }, Buffer.from([1]))).toThrow(
      '"fe80::1%eth0" is not an IPv6 address',
    );
    expect(() => encodeSend({ host: 'example.com', port: 9 }, Buffer.from([1]))).toThrow(
      /not an IPv4 or IPv6 address/,
    );
    expect(() => encodeSend({ host: '::ffff:192.0.2.1', port: 9 }, Buffer.from([1]))).toThrow(
      /IPv4-mapped/,
    );
    expect(() => encodeSend({ host: '::', port: 9 }, Buffer.from([1]))).toThrow(/unspecified/);
    expect(() => encodeSend(to, Buffer.alloc(0))).toThrow(/1-65507/);
    expect(() => encodeSend(to, Buffer.alloc(65_508))).toThrow(/1-65507/);
    expect(() => encodeFrame(FrameType.Request, Buffer.alloc(MAX_FRAME_LENGTH))).toThrow(/over/);
  });

  it('refuses datagrams with a bad family, padding or port', () => {
    const good = vectors.frames.find((f) => f.type === 'datagram')!;
    const body = new FrameReader().push(Buffer.from(good.hex, 'hex')).frames[0]!.body;
    const with_ = (at: number, value: number) => {
      const copy = Buffer.from(body);
      copy[at] = value;
      return parseDatagram(copy);
    };
    expect(with_(0, 7)).toEqual({ ok: false, error: 'datagram address family 7 is not 4 or 6' });
    // Family 6 over IPv4 bytes 198.51.100.2 padded with zeros: a valid, if odd, IPv6 address.
    expect(with_(0, 6)).toMatchObject({ ok: true, value: { from: { host: 'c633:6402::' } } });
    expect(with_(10, 1)).toEqual({
      ok: false,
      error: 'datagram IPv4 address has non-zero padding',
    });
    const noPort = Buffer.from(body);
    noPort.writeUInt16BE(0, 1);
    expect(parseDatagram(noPort)).toEqual({ ok: false, error: 'datagram from port 0' });
    expect(parseDatagram(body.subarray(0, 19)).ok).toBe(false);
  });

  it('refuses a family 6 datagram whose address is IPv4-mapped or unspecified', () => {
    const good = vectors.frames.find((f) => f.type === 'datagram' && f.address!.family === 6)!;
    const body = new FrameReader().push(Buffer.from(good.hex, 'hex')).frames[0]!.body;
    const mapped = Buffer.from(body);
    mapped.fill(0, 3, 19);
    mapped.fill(0xff, 13, 15);
    mapped.set([198, 51, 100, 2], 15);
    const error = 'datagram family 6 address is IPv4-mapped, unspecified or multicast';
    expect(parseDatagram(mapped)).toEqual({ ok: false, error });
    mapped.fill(0, 3, 19);
    expect(parseDatagram(mapped)).toEqual({ ok: false, error });
  });
});

describe('helper frame reader', () => {
  it('reads the same frames however the stream is cut', () => {
    const stream = Buffer.concat(vectors.frames.map((f) => Buffer.from(f.hex, 'hex')));
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const reader = new FrameReader();
      const types: number[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = 1 + Math.floor(random() * 64);
        const { frames, error } = reader.push(stream.subarray(at, at + n));
        expect(error).toBeNull();
        types.push(...frames.map((f) => f.type));
        at += n;
      }
      expect(types).toEqual(vectors.frames.map((f) => TYPES[f.type]));
    }
  });

  it('never throws on random or mutated bytes (fuzz, seeded)', () => {
    const random = seededRandom(20261201);
    const valid = vectors.frames.map((f) => Buffer.from(f.hex, 'hex'));
    for (let i = 0; i < 5_000; i++) {
      const input =
        i % 2 === 0
          ? Buffer.from(mutate(random, valid[i % valid.length]!))
          : Buffer.from(randomBytes(random, 128));
      const reader = new FrameReader();
      const { frames } = reader.push(input);
      for (const f of frames) {
        expect(() => parseDatagram(f.body)).not.toThrow();
        expect(() => parseResponse(f.body)).not.toThrow();
        expect(() => parseEvent(f.body)).not.toThrow();
      }
    }
  });
});

describe('probe frames refuse what the helper would', () => {
  const to = { host: '203.0.113.7', port: 7401 };
  it('will not encode a send from socket 0 or above 65535', () => {
    expect(() => encodeProbeSend(0, to, Buffer.from('x'))).toThrow('probe socket 0 is not 1-65535');
    expect(() => encodeProbeSend(65_536, to, Buffer.from('x'))).toThrow(RangeError);
  });
  it('rejects a probe-datagram on socket 0 or without a whole address', () => {
    expect(parseProbeDatagram(Buffer.from('00', 'hex'))).toEqual({
      ok: false,
      error: 'probe-datagram without a socket index',
    });
    const good = vectors.frames.find((f) => f.type === 'probe-datagram')!;
    const body = new FrameReader().push(Buffer.from(good.hex, 'hex')).frames[0]!.body;
    const zero = Buffer.from(body);
    zero.writeUInt16BE(0, 0);
    expect(parseProbeDatagram(zero).ok).toBe(false);
    expect(parseProbeDatagram(body.subarray(0, 10)).ok).toBe(false);
  });
});
