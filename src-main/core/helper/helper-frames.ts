import { isIPv4, isIPv6 } from 'node:net';
import { parsed, rejected, type ParseResult } from '../../../src-shared/protocol/parse-result.js';
import { ipv6FromBytes, ipv6ToBytes, isPlainUnicastIpv6 } from './ipv6-text.js';

/**
 * The byte layer of the helper protocol (declared in helper/PROTOCOL.md, version 1; the byte
 * examples in helper/testdata/protocol-vectors.json are checked against this file). Both
 * directions of the helper's stdin/stdout carry frames:
 *
 *   0                 4        5
 *   +-----------------+--------+--------------------------------------+
 *   | length (u32 BE) | type   | body (length − 1 bytes)              |
 *   +-----------------+--------+--------------------------------------+
 *   1 ≤ length ≤ 65,536
 *
 *   type 1 request (core → helper, JSON)   2 response (JSON)   3 event (JSON)
 *        4 datagram (helper → core):  address (19) | payload
 *        5 send     (core → helper):  address (19) | ttl (u8, 0 = default) | payload
 *        6 probe-send     (core → helper):  socket (u16 BE, 1…65535) | address (19) | ttl | payload
 *        7 probe-datagram (helper → core):  socket (u16 BE, 1…65535) | address (19) | payload
 *          (port probing: the extra sockets of PROTOCOL.md "Port probing")
 *
 *   address:  0        1             3                                  19
 *             +--------+-------------+----------------------------------+
 *             | family | port u16 BE | address (16 bytes; IPv4: first 4, rest zero)
 *             +--------+-------------+----------------------------------+
 *   family 4 or 6; family 6 is a plain IPv6 address (never ::ffff:a.b.c.d: IPv4 is family 4)
 *
 * The JSON bodies are checked by helper-protocol.ts; this file only cuts and glues bytes.
 */
export const FrameType = {
  Request: 0x01,
  Response: 0x02,
  Event: 0x03,
  Datagram: 0x04,
  Send: 0x05,
  ProbeSend: 0x06,
  ProbeDatagram: 0x07,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_LENGTH_BYTES = 4;
/** Largest `length` field: a 65,507-byte UDP payload plus the 20-byte address/ttl header fits. */
export const MAX_FRAME_LENGTH = 65_536;
/** Largest JSON request body the helper accepts (the largest real request is ~3 KB). */
export const MAX_REQUEST_BYTES = 16_384;
export const ADDRESS_LENGTH = 19;
const ADDRESS_BYTES_OFFSET = 3;
/** The largest UDP payload over IPv4. */
export const MAX_DATAGRAM_PAYLOAD = 65_507;
const FAMILY_IPV4 = 4;
const FAMILY_IPV6 = 6;
/** The probe socket index in front of probe-send and probe-datagram bodies. */
const SOCKET_INDEX_BYTES = 2;
const MAX_SOCKET_INDEX = 65_535;

export interface Frame {
  type: number;
  body: Buffer;
}

export interface UdpAddress {
  host: string;
  port: number;
}

export interface Datagram {
  from: UdpAddress;
  payload: Buffer;
}

/** A datagram that arrived on a probe socket. */
export interface ProbeDatagram extends Datagram {
  socket: number;
}

export function encodeFrame(type: FrameTypeValue, body: Uint8Array): Buffer {
  if (body.length + 1 > MAX_FRAME_LENGTH) {
    throw new RangeError(
      `helper frame body of ${body.length} bytes is over ${MAX_FRAME_LENGTH - 1}`,
    );
  }
  const out = Buffer.allocUnsafe(FRAME_LENGTH_BYTES + 1 + body.length);
  out.writeUInt32BE(body.length + 1, 0);
  out[FRAME_LENGTH_BYTES] = type;
  out.set(body, FRAME_LENGTH_BYTES + 1);
  return out;
}

function writeAddress(out: Buffer, at: number, to: UdpAddress): void {
  const v6 = isIPv6(to.host);
  if (!isIPv4(to.host) && !v6) throw new RangeError(`"${to.host}" is not an IPv4 or IPv6 address`);
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65_535)
    throw new RangeError(`port ${to.port} is not 1-65535`);
  out.fill(0, at, at + ADDRESS_LENGTH);
  out.writeUInt16BE(to.port, at + 1);
  if (v6) {
    const bytes = ipv6ToBytes(to.host);
    if (!isPlainUnicastIpv6(bytes))
      throw new RangeError(`"${to.host}" is IPv4-mapped, unspecified or multicast: not a peer`);
    out[at] = FAMILY_IPV6;
    out.set(bytes, at + ADDRESS_BYTES_OFFSET);
    return;
  }
  out[at] = FAMILY_IPV4;
  const octets = to.host.split('.');
  for (let i = 0; i < 4; i++) out[at + ADDRESS_BYTES_OFFSET + i] = Number(octets[i]);
}

/**
 * A `send` frame, built in one allocation (it is on the probe and STUN path, not WireGuard's).
 * Throws on what the helper would refuse, so a bad send is caught at its source.
 */
export function encodeSend(to: UdpAddress, payload: Uint8Array, ttl = 0): Buffer {
  if (payload.length < 1 || payload.length > MAX_DATAGRAM_PAYLOAD)
    throw new RangeError(`datagram payload of ${payload.length} bytes is not 1-65507`);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255)
    throw new RangeError(`ttl ${ttl} is not 0-255`);
  const bodyLength = ADDRESS_LENGTH + 1 + payload.length;
  const out = Buffer.allocUnsafe(FRAME_LENGTH_BYTES + 1 + bodyLength);
  out.writeUInt32BE(bodyLength + 1, 0);
  out[FRAME_LENGTH_BYTES] = FrameType.Send;
  const body = FRAME_LENGTH_BYTES + 1;
  writeAddress(out, body, to);
  out[body + ADDRESS_LENGTH] = ttl;
  out.set(payload, body + ADDRESS_LENGTH + 1);
  return out;
}

/** A `probe-send` frame: `payload` leaves from probe socket `socket`. Throws like encodeSend. */
export function encodeProbeSend(
  socket: number,
  to: UdpAddress,
  payload: Uint8Array,
  ttl = 0,
): Buffer {
  if (!Number.isInteger(socket) || socket < 1 || socket > MAX_SOCKET_INDEX)
    throw new RangeError(`probe socket ${socket} is not 1-65535`);
  const send = encodeSend(to, payload, ttl);
  const out = Buffer.allocUnsafe(send.length + SOCKET_INDEX_BYTES);
  out.writeUInt32BE(send.readUInt32BE(0) + SOCKET_INDEX_BYTES, 0);
  out[FRAME_LENGTH_BYTES] = FrameType.ProbeSend;
  out.writeUInt16BE(socket, FRAME_LENGTH_BYTES + 1);
  send.copy(out, FRAME_LENGTH_BYTES + 1 + SOCKET_INDEX_BYTES, FRAME_LENGTH_BYTES + 1);
  return out;
}

/** Reads a `probe-datagram` body (socket index, then a `datagram` body). */
export function parseProbeDatagram(body: Buffer): ParseResult<ProbeDatagram> {
  if (body.length < SOCKET_INDEX_BYTES) return rejected('probe-datagram without a socket index');
  const socket = body.readUInt16BE(0);
  if (socket === 0) return rejected('probe-datagram on socket 0');
  const d = parseDatagram(body.subarray(SOCKET_INDEX_BYTES));
  return d.ok ? parsed({ socket, ...d.value }) : d;
}

/** Reads a `datagram` body. The payload is a view into `body`, not a copy. */
export function parseDatagram(body: Buffer): ParseResult<Datagram> {
  if (body.length < ADDRESS_LENGTH + 1)
    return rejected(`datagram of ${body.length} bytes is shorter than address + 1 byte`);
  if (body.length - ADDRESS_LENGTH > MAX_DATAGRAM_PAYLOAD)
    return rejected(`datagram payload of ${body.length - ADDRESS_LENGTH} bytes is over 65507`);
  const port = body.readUInt16BE(1);
  if (port === 0) return rejected('datagram from port 0');
  const a = ADDRESS_BYTES_OFFSET;
  const payload = body.subarray(ADDRESS_LENGTH);
  if (body[0] === FAMILY_IPV6) {
    if (!isPlainUnicastIpv6(body.subarray(a, ADDRESS_LENGTH)))
      return rejected('datagram family 6 address is IPv4-mapped, unspecified or multicast');
    return parsed({ from: { host: ipv6FromBytes(body, a), port }, payload });
  }
  if (body[0] !== FAMILY_IPV4) return rejected(`datagram address family ${body[0]} is not 4 or 6`);
  for (let i = ADDRESS_BYTES_OFFSET + 4; i < ADDRESS_LENGTH; i++) {
    if (body[i] !== 0) return rejected('datagram IPv4 address has non-zero padding');
  }
  return parsed({
    from: { host: `${body[a]}.${body[a + 1]}.${body[a + 2]}.${body[a + 3]}`, port },
    payload,
  });
}

/**
 * Cuts a byte stream into frames. A length outside 1…65,536 means the stream cannot be trusted
 * any further (there is no way to find the next frame): `push` then reports it and the caller
 * must end the stream, as the helper does on its side.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private broken: string | null = null;

  /** Feeds bytes; returns the frames completed by them, or an error once the stream is bad. */
  push(chunk: Buffer): { frames: Frame[]; error: string | null } {
    if (this.broken) return { frames: [], error: this.broken };
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Frame[] = [];
    if (this.pendingBytes < FRAME_LENGTH_BYTES) return { frames, error: null };
    let data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let at = 0;
    while (data.length - at >= FRAME_LENGTH_BYTES) {
      const length = data.readUInt32BE(at);
      if (length < 1 || length > MAX_FRAME_LENGTH) {
        this.broken = `frame length ${length} is outside 1-${MAX_FRAME_LENGTH}`;
        this.pending = [];
        this.pendingBytes = 0;
        return { frames, error: this.broken };
      }
      if (data.length - at < FRAME_LENGTH_BYTES + length) break;
      const start = at + FRAME_LENGTH_BYTES;
      frames.push({ type: data[start]!, body: data.subarray(start + 1, start + length) });
      at = start + length;
    }
    data = data.subarray(at);
    this.pending = data.length > 0 ? [data] : [];
    this.pendingBytes = data.length;
    return { frames, error: null };
  }
}
