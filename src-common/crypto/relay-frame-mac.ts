import { RELAY_MAC_LENGTH, relayMacOffset } from '../../src-shared/protocol/relay-frames.js';
import { mac16, macEqual } from './mac.js';

/**
 * The MAC of a signed relay frame (BIND, BIND_ACK, CHALLENGE, BIND_REFUSED; layout in relay-frames.ts):
 * HMAC-SHA256 with the route side's key over every byte before the last 16, which hold it. One
 * place computes where it sits, for the client and the relay alike.
 */
export function signRelayFrame(frame: Uint8Array, sideKey: Uint8Array): void {
  const at = relayMacOffset(frame);
  frame.set(mac16(sideKey, frame.subarray(0, at)), at);
}

/** Constant-time check of a signed relay frame's MAC; false for a frame too short to carry one. */
export function relayFrameMacValid(frame: Uint8Array, sideKey: Uint8Array): boolean {
  if (frame.length <= RELAY_MAC_LENGTH) return false;
  const at = relayMacOffset(frame);
  return macEqual(mac16(sideKey, frame.subarray(0, at)), frame.subarray(at));
}
