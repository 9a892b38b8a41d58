import type { CoreStatus, PeerStatus } from '../../src-shared/domain/core-status';

/**
 * What deserves a notification, as a pure function of two consecutive statuses: a peer joined or
 * left, moved to a relay or back to a direct path, or its latency spiked. Rules, not side
 * effects: the caller filters by the user's choices and delivers (toast or OS notification).
 */
export const NOTICE_KINDS = [
  'peer-joined',
  'peer-left',
  'to-relay',
  'to-direct',
  'latency-spike',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  kind: NoticeKind;
  /** The peer it is about, so a burst about one peer can be told apart. */
  peerId: string;
  text: string;
}

export const NOTICE_LABELS: Readonly<Record<NoticeKind, string>> = {
  'peer-joined': 'A player joins',
  'peer-left': 'A player leaves',
  'to-relay': 'A player moves to a relay',
  'to-direct': 'A player is back on a direct path',
  'latency-spike': 'Latency jumps',
};

/**
 * A spike is a jump a player feels: at least SPIKE_MIN_MS, and at least SPIKE_FACTOR times the
 * previous figure (so a steady 150 ms relay does not notify, a 20 → 120 ms jump does).
 */
export const SPIKE_MIN_MS = 100;
export const SPIKE_FACTOR = 2;

export function noticesFor(previous: CoreStatus | null, next: CoreStatus): Notice[] {
  // Entering or changing party lists every member at once: that is not news.
  if (!previous?.party || !next.party || previous.party.id !== next.party.id) return [];
  const before = new Map(previous.peers.map((p) => [p.id, p]));
  const after = new Map(next.peers.map((p) => [p.id, p]));
  const notices: Notice[] = [];
  for (const peer of next.peers) {
    const old = before.get(peer.id);
    if (!old) {
      notices.push({ kind: 'peer-joined', peerId: peer.id, text: `${peer.name} joined the party` });
      continue;
    }
    notices.push(...pathNotices(old, peer));
    if (
      old.latencyMs !== null &&
      peer.latencyMs !== null &&
      old.path === peer.path &&
      peer.latencyMs >= SPIKE_MIN_MS &&
      peer.latencyMs >= SPIKE_FACTOR * old.latencyMs
    ) {
      notices.push({
        kind: 'latency-spike',
        peerId: peer.id,
        text: `${peer.name}: latency jumped from ${Math.round(old.latencyMs)} to ${Math.round(peer.latencyMs)} ms`,
      });
    }
  }
  for (const old of previous.peers) {
    if (!after.has(old.id))
      notices.push({ kind: 'peer-left', peerId: old.id, text: `${old.name} left the party` });
  }
  return notices;
}

function pathNotices(old: PeerStatus, peer: PeerStatus): Notice[] {
  if (old.path !== 'relay' && old.path !== null && peer.path === 'relay') {
    const via = peer.relay ? ` ${peer.relay.id}` : '';
    return [{ kind: 'to-relay', peerId: peer.id, text: `${peer.name} moved to relay${via}` }];
  }
  if (old.path === 'relay' && (peer.path === 'direct' || peer.path === 'lan')) {
    const how = peer.path === 'lan' ? 'your LAN' : 'a direct path';
    return [{ kind: 'to-direct', peerId: peer.id, text: `${peer.name} is back on ${how}` }];
  }
  return [];
}
