import { mappingPathWords } from '../../src-shared/domain/port-mapping';
import type { PeerStatus } from '../../src-shared/domain/core-status';
import { isIpv6EndpointText } from '../../src-shared/domain/endpoint';
import type { PartyStoreState } from './party-store';

/** Plain functions of the party state; components select narrowly with them. */
export const selectStatus = (s: PartyStoreState) => s.status;
export const selectParty = (s: PartyStoreState) => s.status?.party ?? null;
export const selectSelf = (s: PartyStoreState) => s.status?.self ?? null;
export const selectInParty = (s: PartyStoreState) => (s.status?.party ?? null) !== null;

const NO_PEERS: readonly PeerStatus[] = [];
let lastPeers: readonly PeerStatus[] | undefined;
let lastSorted: readonly PeerStatus[] = NO_PEERS;

/** Peers by name (stable for the same status, so React skips re-rendering the list). */
export function selectPeers(s: PartyStoreState): readonly PeerStatus[] {
  const peers = s.status?.peers;
  if (peers === undefined) return NO_PEERS;
  if (peers !== lastPeers) {
    lastPeers = peers;
    lastSorted = [...peers].sort(
      (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
  }
  return lastSorted;
}

export const selectPeer = (id: string) => (s: PartyStoreState) =>
  s.status?.peers.find((p) => p.id === id) ?? null;

export const selectSamples = (id: string) => (s: PartyStoreState) => s.samples[id];

/** The badge text of a path: "LAN", "Direct", "Direct · IPv6", "Relay eu-1", or "Connecting". */
export function pathLabel(peer: PeerStatus): string {
  if (peer.path === 'lan') return 'LAN';
  if (peer.path === 'direct') {
    const mapping = mappingPathWords(peer.coordination);
    if (mapping) return `Direct ${mapping}`;
    if (peer.coordination.openedBy === 'port-probe') return 'Direct after port probing';
    return isIpv6EndpointText(peer.endpoint) ? 'Direct · IPv6' : 'Direct';
  }
  if (peer.path === 'relay') return peer.relay ? `Relay ${peer.relay.id}` : 'Relay';
  return peer.state === 'failed' ? 'No path' : 'Connecting';
}

/** "23 ms", "0.4 ms", or "—" before the first measurement. */
export function latencyLabel(ms: number | null): string {
  if (ms === null) return '—';
  // Tenths below 1 ms (a LAN); whole milliseconds from what rounds to 1.0 up, so 0.96 and 1.02
  // both read "1 ms".
  const tenths = Math.round(ms * 10) / 10;
  return tenths < 1 ? `${tenths.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

const STATE_WORDS: Record<PeerStatus['state'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  degraded: 'Slow',
  failed: 'Not reachable',
};

export function stateLabel(peer: PeerStatus): string {
  return STATE_WORDS[peer.state];
}

/** The reason is shown when something is wrong (slow, failed) — the user needs it then. */
export function showsReason(peer: PeerStatus): boolean {
  return peer.state === 'degraded' || peer.state === 'failed';
}
