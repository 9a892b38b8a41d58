import { parsed, rejected, type ParseResult } from '../../src-shared/protocol/parse-result.js';
import { parseEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';
import { isWireGuardKey } from '../../src-common/crypto/x25519.js';

/*
 * `wg show <if> dump` output: tab-separated, one line for the interface, then one per peer.
 *
 *   interface: private-key  public-key  listen-port  fwmark
 *   peer:      public-key   preshared-key  endpoint  allowed-ips  latest-handshake
 *              transfer-rx  transfer-tx  persistent-keepalive
 *
 * "(none)" stands for an absent key/endpoint/allowed-ips, "off" for no fwmark/keepalive,
 * latest-handshake is UNIX seconds (0 = never), allowed-ips is comma-separated CIDRs.
 * The text comes from a child process, so it is parsed as untrusted: never throws.
 */

export interface WgInterfaceDump {
  publicKey: string | null;
  listenPort: number;
  fwmark: number | null;
  peers: WgPeerDump[];
}

export interface WgPeerDump {
  publicKey: string;
  hasPresharedKey: boolean;
  endpoint: Endpoint | null;
  allowedIps: string[];
  /** null when no handshake has ever completed. */
  latestHandshakeAt: Date | null;
  rxBytes: number;
  txBytes: number;
  persistentKeepaliveSeconds: number | null;
}

const CIDR = /^[0-9a-fA-F:.]{2,45}\/\d{1,3}$/;
const MAX_PORT = 65535;

function nonNegativeInt(text: string | undefined, what: string): ParseResult<number> {
  if (text === undefined || !/^\d{1,16}$/.test(text))
    return rejected(`${what} "${text}" is not a number`);
  const value = Number(text);
  return Number.isSafeInteger(value) ? parsed(value) : rejected(`${what} ${text} is too large`);
}

function optionalKey(text: string | undefined, what: string): ParseResult<string | null> {
  if (text === '(none)') return parsed(null);
  if (!isWireGuardKey(text)) return rejected(`${what} is not a WireGuard key`);
  return parsed(text);
}

function parseInterfaceLine(fields: string[]): ParseResult<Omit<WgInterfaceDump, 'peers'>> {
  if (fields.length !== 4)
    return rejected(`interface line has ${fields.length} fields, expected 4`);
  // The private key (field 0) is read only to be skipped: it never leaves this function.
  const publicKey = optionalKey(fields[1], 'interface public key');
  if (!publicKey.ok) return publicKey;
  const port = nonNegativeInt(fields[2], 'listen port');
  if (!port.ok) return port;
  if (port.value > MAX_PORT) return rejected(`listen port ${port.value} is outside 0-65535`);
  let fwmark: number | null = null;
  if (fields[3] !== 'off') {
    const hex = fields[3] ?? '';
    const mark = /^0x[0-9a-fA-F]{1,8}$/.test(hex)
      ? parsed(Number(hex))
      : nonNegativeInt(hex, 'fwmark');
    if (!mark.ok) return mark;
    fwmark = mark.value;
  }
  return parsed({ publicKey: publicKey.value, listenPort: port.value, fwmark });
}

function parsePeerLine(fields: string[]): ParseResult<WgPeerDump> {
  if (fields.length !== 8) return rejected(`peer line has ${fields.length} fields, expected 8`);
  const [key, psk, endpointText, allowedText, handshake, rx, tx, keepalive] = fields;
  if (!isWireGuardKey(key)) return rejected('peer public key is not a WireGuard key');
  const presharedKey = optionalKey(psk, 'preshared key');
  if (!presharedKey.ok) return presharedKey;
  let endpoint: Endpoint | null = null;
  if (endpointText !== '(none)') {
    const ep = parseEndpoint(endpointText ?? '');
    if (!ep.ok) return rejected(`peer endpoint: ${ep.error}`);
    endpoint = ep.value;
  }
  const allowedIps = allowedText === '(none)' ? [] : (allowedText ?? '').split(',');
  if (!allowedIps.every((cidr) => CIDR.test(cidr)))
    return rejected(`allowed-ips "${allowedText}" is not a CIDR list`);
  const handshakeAt = nonNegativeInt(handshake, 'latest handshake');
  if (!handshakeAt.ok) return handshakeAt;
  const rxBytes = nonNegativeInt(rx, 'transfer-rx');
  if (!rxBytes.ok) return rxBytes;
  const txBytes = nonNegativeInt(tx, 'transfer-tx');
  if (!txBytes.ok) return txBytes;
  let persistentKeepaliveSeconds: number | null = null;
  if (keepalive !== 'off') {
    const seconds = nonNegativeInt(keepalive, 'persistent keepalive');
    if (!seconds.ok) return seconds;
    persistentKeepaliveSeconds = seconds.value;
  }
  return parsed({
    publicKey: key,
    hasPresharedKey: presharedKey.value !== null,
    endpoint,
    allowedIps,
    latestHandshakeAt: handshakeAt.value === 0 ? null : new Date(handshakeAt.value * 1000),
    rxBytes: rxBytes.value,
    txBytes: txBytes.value,
    persistentKeepaliveSeconds,
  });
}

/** Parses the full output of `wg show <if> dump` (exactly one interface). */
export function parseWgDump(text: unknown): ParseResult<WgInterfaceDump> {
  if (typeof text !== 'string') return rejected('wg dump is not text');
  const lines = text.split('\n').filter((line) => line.length > 0);
  const [first, ...rest] = lines;
  if (first === undefined) return rejected('wg dump is empty');
  const head = parseInterfaceLine(first.split('\t'));
  if (!head.ok) return rejected(`wg dump line 1: ${head.error}`);
  const peers: WgPeerDump[] = [];
  for (const [index, line] of rest.entries()) {
    const peer = parsePeerLine(line.split('\t'));
    if (!peer.ok) return rejected(`wg dump line ${index + 2}: ${peer.error}`);
    peers.push(peer.value);
  }
  return parsed({ ...head.value, peers });
}
