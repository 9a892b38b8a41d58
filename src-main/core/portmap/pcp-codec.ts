import { isIPv4 } from 'node:net';

/**
 * PCP (RFC 6887) MAP messages, client side, for one UDP port. Addresses are 16 bytes: IPv4 as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d). Every field of an answer is checked; options after the MAP
 * payload are allowed (RFC 6887 §7.3) but must be whole 4-byte words within the 1100-byte limit.
 *
 * MAP request, 60 bytes                             MAP answer, 60 bytes (+ options)
 *   0        1        2        3                      0        1        2        3
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | vers 2 |R=0|op 1| reserved (0)    |            | vers 2 |R=1|op 1| reserved| result |
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | requested lifetime (s)            |            | lifetime (s)                      |
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | client IP address (16 bytes)      |  8         | epoch time (s)                    |
 *   |                                   |            +--------+--------+--------+--------+
 *   +--------+--------+--------+--------+            | reserved (12 bytes)               | 12
 *   | mapping nonce (12 bytes)          | 24         +--------+--------+--------+--------+
 *   +--------+--------+--------+--------+            | mapping nonce (12 bytes)          | 24
 *   | proto  | reserved (0)             | 36         +--------+--------+--------+--------+
 *   +--------+--------+--------+--------+            | proto  | reserved                 | 36
 *   | internal port   | suggested ext.  | 40         +--------+--------+--------+--------+
 *   +--------+--------+--------+--------+            | internal port   | assigned ext.   | 40
 *   | suggested external IP (16 bytes)  | 44         +--------+--------+--------+--------+
 *   +--------+--------+--------+--------+            | assigned external IP (16 bytes)   | 44
 *                                                    +--------+--------+--------+--------+
 * Lifetime 0 with the same nonce deletes the mapping (RFC 6887 §15).
 */
export const PCP_PORT = 5351;
export const PCP_VERSION = 2;
const OPCODE_MAP = 1;
const RESPONSE_BIT = 0x80;
const PROTOCOL_UDP = 17;
export const PCP_NONCE_LENGTH = 12;

const OFF_VERSION = 0;
const OFF_OPCODE = 1;
const OFF_RESULT = 3;
const OFF_LIFETIME = 4;
const OFF_CLIENT_IP = 8;
const OFF_EPOCH = 8;
const OFF_NONCE = 24;
const OFF_PROTOCOL = 36;
const OFF_INTERNAL_PORT = 40;
const OFF_EXTERNAL_PORT = 42;
const OFF_EXTERNAL_IP = 44;
const MAP_LENGTH = 60;
/** RFC 6887 §7: no PCP message is longer. */
const MAX_MESSAGE_LENGTH = 1100;

/** RFC 6887 §7.4 result codes, in words for the log. */
const RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized',
  3: 'malformed request',
  4: 'unsupported opcode',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure',
  8: 'no resources',
  9: 'unsupported protocol',
  10: 'user exceeded quota',
  11: 'cannot provide the external address',
  12: 'address mismatch (a NAT between us and the router)',
  13: 'excessive remote peers',
};

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export interface PcpMapping {
  epoch: number;
  lifetimeS: number;
  internalPort: number;
  externalPort: number;
  externalIp: string;
}

/** Writes an IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d) at `offset`. */
function writeIpv4Mapped(b: Buffer, offset: number, ip: string): void {
  b.fill(0, offset, offset + 10);
  b.writeUInt16BE(0xffff, offset + 10);
  ip.split('.').forEach((octet, i) => b.writeUInt8(Number(octet), offset + 12 + i));
}

export function encodeMapRequest(o: {
  clientIp: string;
  nonce: Buffer;
  internalPort: number;
  suggestedExternalPort: number;
  lifetimeS: number;
}): Buffer {
  if (!isIPv4(o.clientIp)) throw new Error(`PCP client address ${o.clientIp} is not IPv4`);
  if (o.nonce.length !== PCP_NONCE_LENGTH) throw new Error('PCP nonce must be 12 bytes');
  const b = Buffer.alloc(MAP_LENGTH);
  b.writeUInt8(PCP_VERSION, OFF_VERSION);
  b.writeUInt8(OPCODE_MAP, OFF_OPCODE);
  b.writeUInt32BE(o.lifetimeS, OFF_LIFETIME);
  writeIpv4Mapped(b, OFF_CLIENT_IP, o.clientIp);
  o.nonce.copy(b, OFF_NONCE);
  b.writeUInt8(PROTOCOL_UDP, OFF_PROTOCOL);
  b.writeUInt16BE(o.internalPort, OFF_INTERNAL_PORT);
  b.writeUInt16BE(o.suggestedExternalPort, OFF_EXTERNAL_PORT);
  // Suggested external IP: the IPv4-mapped "any" address, ::ffff:0.0.0.0 (RFC 6887 §11.1).
  writeIpv4Mapped(b, OFF_EXTERNAL_IP, '0.0.0.0');
  return b;
}

/**
 * Decodes a MAP answer to the request with `nonce` for `internalPort`. A deletion's answer
 * (lifetime 0) has no usable external address; `allowZeroLifetime` accepts it.
 */
export function decodeMapAnswer(
  b: Buffer,
  expect: { nonce: Buffer; internalPort: number; allowZeroLifetime?: boolean },
): Decoded<PcpMapping> {
  const fail = (error: string): Decoded<PcpMapping> => ({ ok: false, error: `PCP ${error}` });
  if (b.length < 4) return fail(`answer of ${b.length} bytes is too short for a header`);
  if (b.readUInt8(OFF_VERSION) !== PCP_VERSION)
    return fail(`answer has version ${b.readUInt8(OFF_VERSION)}, not ${PCP_VERSION}`);
  if (b.readUInt8(OFF_OPCODE) !== (OPCODE_MAP | RESPONSE_BIT))
    return fail(`answer has opcode byte ${b.readUInt8(OFF_OPCODE)}, not a MAP response`);
  const result = b.readUInt8(OFF_RESULT);
  if (result !== 0) return fail(`router refused: ${RESULTS[result] ?? `result code ${result}`}`);
  if (b.length < MAP_LENGTH) return fail(`answer is ${b.length} bytes, shorter than a MAP`);
  if (b.length > MAX_MESSAGE_LENGTH || b.length % 4 !== 0)
    return fail(`answer of ${b.length} bytes is not a whole number of words under 1100`);
  if (!b.subarray(OFF_NONCE, OFF_NONCE + PCP_NONCE_LENGTH).equals(expect.nonce))
    return fail('answer carries another mapping nonce');
  if (b.readUInt8(OFF_PROTOCOL) !== PROTOCOL_UDP)
    return fail(`answer is for protocol ${b.readUInt8(OFF_PROTOCOL)}, not UDP`);
  const internalPort = b.readUInt16BE(OFF_INTERNAL_PORT);
  if (internalPort !== expect.internalPort)
    return fail(`answer is for internal port ${internalPort}, not ${expect.internalPort}`);
  const lifetimeS = b.readUInt32BE(OFF_LIFETIME);
  const externalPort = b.readUInt16BE(OFF_EXTERNAL_PORT);
  const mapped = b.subarray(OFF_EXTERNAL_IP, OFF_EXTERNAL_IP + 12);
  const v4Mapped =
    mapped.subarray(0, 10).every((x) => x === 0) && mapped.readUInt16BE(10) === 0xffff;
  const externalIp = [...b.subarray(OFF_EXTERNAL_IP + 12, OFF_EXTERNAL_IP + 16)].join('.');
  if (lifetimeS === 0 && expect.allowZeroLifetime) {
    return {
      ok: true,
      value: {
        epoch: b.readUInt32BE(OFF_EPOCH),
        lifetimeS,
        internalPort,
        externalPort,
        externalIp,
      },
    };
  }
  if (lifetimeS === 0) return fail('answer grants a lifetime of 0 s');
  if (!v4Mapped) return fail('answer assigns an external address that is not IPv4');
  if (externalIp === '0.0.0.0') return fail('answer assigns no external address');
  if (externalPort === 0) return fail('answer assigns external port 0');
  return {
    ok: true,
    value: { epoch: b.readUInt32BE(OFF_EPOCH), lifetimeS, internalPort, externalPort, externalIp },
  };
}
