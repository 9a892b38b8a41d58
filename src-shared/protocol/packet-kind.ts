import { isProbe } from './probe-packets.js';
import { isRelayFrame } from './relay-frames.js';
import { looksLikeStun } from './stun-framing.js';

/**
 * What a datagram on the one public socket is, from its first bytes alone (the mux's hot path):
 * - WireGuard: type 1-4 followed by three zero bytes (handshake init/response, cookie, data).
 * - STUN (RFC 5389): top two bits 00 and the magic cookie 0x2112A442 at bytes 4..8.
 * - relay frame / probe: LANrage magics, first byte 0xFF.
 */
export type PacketKind = 'wireguard' | 'stun' | 'relay' | 'probe' | 'unknown';

export function classifyPacket(data: Uint8Array): PacketKind {
  if (data.length < 4) return 'unknown';
  const first = data[0]!;
  if (first >= 1 && first <= 4 && data[1] === 0 && data[2] === 0 && data[3] === 0)
    return 'wireguard';
  if (first === 0xff) {
    if (isRelayFrame(data)) return 'relay';
    if (isProbe(data)) return 'probe';
    return 'unknown';
  }
  return looksLikeStun(data) ? 'stun' : 'unknown';
}
