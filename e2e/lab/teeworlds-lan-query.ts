/**
 * Teeworlds 0.7's LAN discovery, as its client does it (src/engine/client/serverbrowser.cpp and
 * src/engine/shared/network*.cpp of teeworlds 0.7.5, Debian's teeworlds-server), so the lab can
 * find a real server by the game's own broadcast. 0.7 puts a token handshake in front of the
 * query; both client messages go to the broadcast address, the server answers by unicast.
 *
 *   1. client → 255.255.255.255:8303..8310   control TOKEN request (token NONE, 512-byte body)
 *        0     1     2        3           7       8            12
 *        +-----+-----+--------+-----------+-------+------------+-------------+
 *        | 04  | 00  | 00     | ff ff ff ff | 05  | my token   | 508 × 00    |
 *        |flags=CONTROL, ack 0, 0 chunks, token NONE | TOKEN | (anti-amplification padding)
 *   2. server → client                        control TOKEN: 04 00 00 | my token | 05 | server token
 *   3. client → 255.255.255.255:port          connless GETINFO
 *        +-----+--------------+----------+---------------------+-----------------+
 *        | 21  | server token | my token | ff ff ff ff "gie3"  | browser token   |
 *        |flags=CONNLESS, version 1        |                     | (packed int)    |
 *   4. server → client                        connless INFO: 21 | my token | server token |
 *        ff ff ff ff "inf3" | browser token (packed int) | version\0 | name\0 | hostname\0 |
 *        map\0 | gametype\0 | …
 */
export const TEEWORLDS_PORTS = [8303, 8304, 8305, 8306, 8307, 8308, 8309, 8310] as const;

const CONTROL_HEADER = [0x04, 0x00, 0x00] as const;
const CTRL_TOKEN = 0x05;
const TOKEN_NONE = 0xffffffff;
const TOKEN_REQUEST_BODY = 512; // NET_TOKENREQUEST_DATASIZE: the server ignores shorter requests
const CONNLESS_V1 = 0x21;
const GETINFO = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x67, 0x69, 0x65, 0x33]); // "gie3"
const INFO = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x69, 0x6e, 0x66, 0x33]); // "inf3"

export function tokenRequest(myToken: number): Buffer {
  const b = Buffer.alloc(7 + 1 + TOKEN_REQUEST_BODY);
  Buffer.from(CONTROL_HEADER).copy(b, 0);
  b.writeUInt32BE(TOKEN_NONE, 3);
  b[7] = CTRL_TOKEN;
  b.writeUInt32BE(myToken, 8);
  return b;
}

/** The server's token from its TOKEN answer, or null when the datagram is not one for us. */
export function parseTokenAnswer(b: Buffer, myToken: number): number | null {
  if (b.length < 12 || b[0] !== 0x04 || b[7] !== CTRL_TOKEN || b.readUInt32BE(3) !== myToken)
    return null;
  return b.readUInt32BE(8);
}

/** The GETINFO query; browserToken < 64 packs into one byte. */
export function getInfo(serverToken: number, myToken: number, browserToken: number): Buffer {
  if (!Number.isInteger(browserToken) || browserToken < 0 || browserToken > 63)
    throw new Error('browser token must be 0-63 (one packed byte)');
  const header = Buffer.alloc(9);
  header[0] = CONNLESS_V1;
  header.writeUInt32BE(serverToken, 1);
  header.writeUInt32BE(myToken, 5);
  return Buffer.concat([header, GETINFO, Buffer.from([browserToken])]);
}

export interface TeeworldsInfo {
  browserToken: number;
  version: string;
  name: string;
  hostname: string;
  map: string;
  gametype: string;
}

/** The server's INFO answer, or null when the datagram is not one. */
export function parseInfo(b: Buffer, myToken: number): TeeworldsInfo | null {
  if (b.length < 9 + INFO.length + 1 || b[0] !== CONNLESS_V1 || b.readUInt32BE(1) !== myToken)
    return null;
  if (!b.subarray(9, 9 + INFO.length).equals(INFO)) return null;
  let at = 9 + INFO.length;
  const browserToken = b[at++]! & 0x3f; // one-byte packed int (bit 6 sign, bit 7 extend: unused)
  const strings: string[] = [];
  while (strings.length < 5) {
    const end = b.indexOf(0, at);
    if (end < 0) return null;
    strings.push(b.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  const [version, name, hostname, map, gametype] = strings as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { browserToken, version, name, hostname, map, gametype };
}
