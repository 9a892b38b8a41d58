import { parsed, rejected, type ParseResult } from './parse-result.js';
import { startsWith, view } from './bytes.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * Probes: LANrage's own packets between two peers, on the tunnel's public socket. They punch
 * holes (both sides send at the moment the control server's signal names), measure RTT on the
 * live path and notice a dead path within seconds. Pings and pongs have the same length, so an
 * answer is never bigger than its question.
 *
 *  0              4         5        6            14          22       23     25           41         57
 *  +--------------+---------+--------+------------+-----------+--------+------+------------+----------+
 *  | FF 'L' 'R' 'P' | version | type   | sender id  | tx id (8) | family | port | address    | mac (16) |
 *  |              |         | 1 ping | (8: first  |           | 0|4|6  | u16  | (16; IPv4  |          |
 *  |              |         | 2 pong | bytes of   |           |        |      | in first 4)|          |
 *  |              |         |        | WG pubkey) |           |        |      |            |          |
 *  +--------------+---------+--------+------------+-----------+--------+------+------------+----------+
 *
 * In a pong, family/port/address are where the ping came from as the answering peer saw it (so a
 * peer learns its mapped address on that path); in a ping they are zero. The MAC is
 * HMAC-SHA256(probe key, bytes 0..41)[0..16], the probe key being derived by both peers from
 * their WireGuard X25519 keys; a probe that fails it is dropped without an answer.
 */
export const PROBE_MAGIC = new Uint8Array([0xff, 0x4c, 0x52, 0x50]);
export const PROBE_LENGTH = 57;
export const PROBE_MAC_OFFSET = 41;
export const PROBE_SENDER_ID_LENGTH = 8;

export const ProbeType = { Ping: 1, Pong: 2 } as const;
export type ProbeTypeValue = (typeof ProbeType)[keyof typeof ProbeType];

export interface ProbeObserved {
  family: 4 | 6;
  port: number;
  /** 4 or 16 bytes. */
  address: Uint8Array;
}

export interface ProbePacket {
  type: ProbeTypeValue;
  senderId: Uint8Array;
  txId: Uint8Array;
  observed: ProbeObserved | null;
  macInput: Uint8Array;
  mac: Uint8Array;
}

export function isProbe(data: Uint8Array): boolean {
  return startsWith(data, PROBE_MAGIC);
}

/** A probe without its MAC; the caller fills bytes 41..57. */
export function encodeProbeUnsigned(
  type: ProbeTypeValue,
  senderId: Uint8Array,
  txId: Uint8Array,
  observed: ProbeObserved | null,
): Uint8Array {
  if (senderId.length !== PROBE_SENDER_ID_LENGTH) throw new RangeError('sender id must be 8 bytes');
  if (txId.length !== 8) throw new RangeError('tx id must be 8 bytes');
  const out = new Uint8Array(PROBE_LENGTH);
  out.set(PROBE_MAGIC, 0);
  out[4] = PROTOCOL_VERSION;
  out[5] = type;
  out.set(senderId, 6);
  out.set(txId, 14);
  if (observed) {
    const expected = observed.family === 4 ? 4 : 16;
    if (observed.address.length !== expected) throw new RangeError('observed address length');
    out[22] = observed.family;
    view(out).setUint16(23, observed.port);
    out.set(observed.address, 25);
  }
  return out;
}

export function parseProbe(data: Uint8Array): ParseResult<ProbePacket> {
  if (!startsWith(data, PROBE_MAGIC)) return rejected('not a probe (bad magic)');
  if (data.length !== PROBE_LENGTH)
    return rejected(`probe is ${data.length} bytes; expected ${PROBE_LENGTH}`);
  if (data[4] !== PROTOCOL_VERSION) return rejected(`probe version ${data[4]} is not supported`);
  const type = data[5];
  if (type !== ProbeType.Ping && type !== ProbeType.Pong)
    return rejected(`probe type ${type} is unknown`);
  const family = data[22];
  let observed: ProbeObserved | null = null;
  if (family === 4 || family === 6) {
    observed = {
      family,
      port: view(data).getUint16(23),
      address: data.slice(25, family === 4 ? 29 : 41),
    };
  } else if (family !== 0) {
    return rejected(`probe address family ${family} is unknown`);
  }
  if (type === ProbeType.Ping && observed) return rejected('a ping carries no observed address');
  return parsed({
    type,
    senderId: data.subarray(6, 14),
    txId: data.subarray(14, 22),
    observed,
    macInput: data.subarray(0, PROBE_MAC_OFFSET),
    mac: data.subarray(PROBE_MAC_OFFSET),
  });
}
