/**
 * Which relay to use: the one the user pinned (kept until they clear it), else the lowest
 * measured latency among relays with room, else — nothing answered — the first candidate, in
 * the discovery order (control server list → configured relay → default relay). A relay whose
 * reported load is at or above RELAY_BUSY_LOAD is passed over while any other has room: it
 * would refuse new routes soon, and the ones it carries deserve the room.
 */
/**
 * Why 0.9: relays report load every 10 s; at 90 % a relay still has room for the pairs already
 * on their way to it, and a newcomer should go elsewhere.
 */
export const RELAY_BUSY_LOAD = 0.9;
export interface RelayCandidate {
  id: string;
  /** Round-trip time in ms; null when the relay did not answer. */
  latencyMs: number | null;
  /** Routes in use / capacity, as the relay last reported it (0..1); absent when unknown. */
  load?: number;
}

export interface RelayChoice {
  id: string;
  why: 'pinned' | 'lowest-latency' | 'first-no-answer';
}

export function chooseRelay(
  all: readonly RelayCandidate[],
  pinnedId: string | null = null,
): RelayChoice | null {
  let candidates = all;
  if (candidates.length === 0) return null;
  if (pinnedId !== null && candidates.some((c) => c.id === pinnedId)) {
    return { id: pinnedId, why: 'pinned' };
  }
  const withRoom = candidates.filter((c) => (c.load ?? 0) < RELAY_BUSY_LOAD);
  if (withRoom.length > 0 && withRoom.length < candidates.length) {
    candidates = withRoom;
  }
  let best: RelayCandidate | null = null;
  for (const c of candidates) {
    if (c.latencyMs === null || !Number.isFinite(c.latencyMs)) continue;
    if (best === null || c.latencyMs < (best.latencyMs ?? Infinity)) best = c;
  }
  if (best) return { id: best.id, why: 'lowest-latency' };
  return { id: candidates[0]!.id, why: 'first-no-answer' };
}
