/**
 * NAT-PMP (RFC 6886) messages, client side: the two requests we send and the two answers we
 * accept. Every field of an answer is checked; anything else is an error naming the field.
 *
 * External-address request (op 0), 2 bytes        External-address answer (op 128), 12 bytes
 *   0        1                                       0        1        2        3
 *   +--------+--------+                              +--------+--------+--------+--------+
 *   | vers 0 | op 0   |                              | vers 0 | op 128 | result code     |
 *   +--------+--------+                              +--------+--------+--------+--------+
 *                                                    | seconds since start of epoch      |
 *                                                    +--------+--------+--------+--------+
 *                                                    | external IPv4 address             |
 *                                                    +--------+--------+--------+--------+
 *
 * Map-UDP request (op 1), 12 bytes                  Map-UDP answer (op 129), 16 bytes
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | vers 0 | op 1   | reserved (0)    |            | vers 0 | op 129 | result code     |
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | internal port   | suggested ext.  |            | seconds since start of epoch      |
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *   | requested lifetime (s)            |            | internal port   | mapped ext. port|
 *   +--------+--------+--------+--------+            +--------+--------+--------+--------+
 *                                                    | lifetime (s)                      |
 *                                                    +--------+--------+--------+--------+
 * A map request with lifetime 0 and suggested port 0 deletes the mapping (RFC 6886 §3.4).
 */
export const NAT_PMP_PORT = 5351;
export const NAT_PMP_VERSION = 0;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_UDP = 1;
/** Answers carry the request's op plus 128. */
const ANSWER_BIT = 128;

const OFF_VERSION = 0;
const OFF_OP = 1;
const OFF_RESULT = 2;
const OFF_EPOCH = 4;
const OFF_EXTERNAL_IP = 8;
const OFF_MAP_INTERNAL_PORT = 8;
const OFF_MAP_EXTERNAL_PORT = 10;
const OFF_MAP_LIFETIME = 12;
const EXTERNAL_ADDRESS_ANSWER_LENGTH = 12;
const MAP_ANSWER_LENGTH = 16;

/** RFC 6886 §3.5 result codes, in words for the log. */
const RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (the router has port mapping turned off)',
  3: 'network failure (the router has no external address)',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export interface NatPmpExternalAddress {
  epoch: number;
  externalIp: string;
}

export interface NatPmpMapping {
  epoch: number;
  internalPort: number;
  externalPort: number;
  lifetimeS: number;
}

export function encodeExternalAddressRequest(): Buffer {
  return Buffer.from([NAT_PMP_VERSION, OP_EXTERNAL_ADDRESS]);
}

/** A UDP mapping request; lifetime 0 (with suggested port 0) deletes it. */
export function encodeMapUdpRequest(
  internalPort: number,
  suggestedExternalPort: number,
  lifetimeS: number,
): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(NAT_PMP_VERSION, OFF_VERSION);
  b.writeUInt8(OP_MAP_UDP, OFF_OP);
  b.writeUInt16BE(internalPort, 4);
  b.writeUInt16BE(suggestedExternalPort, 6);
  b.writeUInt32BE(lifetimeS, 8);
  return b;
}

/** Checks the header common to both answers; the result code must be success. */
function checkHeader(b: Buffer, op: number, length: number): string | null {
  if (b.length < 4) return `NAT-PMP answer of ${b.length} bytes is too short for a header`;
  if (b.readUInt8(OFF_VERSION) !== NAT_PMP_VERSION)
    return `NAT-PMP answer has version ${b.readUInt8(OFF_VERSION)}, not ${NAT_PMP_VERSION}`;
  if (b.readUInt8(OFF_OP) !== op + ANSWER_BIT)
    return `NAT-PMP answer has op ${b.readUInt8(OFF_OP)}, not ${op + ANSWER_BIT}`;
  const result = b.readUInt16BE(OFF_RESULT);
  if (result !== 0) return `NAT-PMP router refused: ${RESULTS[result] ?? `result code ${result}`}`;
  // A longer datagram is not ours to guess at: RFC 6886 answers have fixed lengths.
  if (b.length !== length) return `NAT-PMP answer is ${b.length} bytes, not ${length}`;
  return null;
}

export function decodeExternalAddressAnswer(b: Buffer): Decoded<NatPmpExternalAddress> {
  const problem = checkHeader(b, OP_EXTERNAL_ADDRESS, EXTERNAL_ADDRESS_ANSWER_LENGTH);
  if (problem) return { ok: false, error: problem };
  const ip = [...b.subarray(OFF_EXTERNAL_IP, OFF_EXTERNAL_IP + 4)].join('.');
  if (ip === '0.0.0.0') return { ok: false, error: 'NAT-PMP router has no external address' };
  return { ok: true, value: { epoch: b.readUInt32BE(OFF_EPOCH), externalIp: ip } };
}

export function decodeMapUdpAnswer(b: Buffer): Decoded<NatPmpMapping> {
  const problem = checkHeader(b, OP_MAP_UDP, MAP_ANSWER_LENGTH);
  if (problem) return { ok: false, error: problem };
  return {
    ok: true,
    value: {
      epoch: b.readUInt32BE(OFF_EPOCH),
      internalPort: b.readUInt16BE(OFF_MAP_INTERNAL_PORT),
      externalPort: b.readUInt16BE(OFF_MAP_EXTERNAL_PORT),
      lifetimeS: b.readUInt32BE(OFF_MAP_LIFETIME),
    },
  };
}
