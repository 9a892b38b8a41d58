/**
 * Which relay to use: the one the user pinned (kept until they clear it), else the lowest
 * measured latency, else — nothing answered — the first candidate, in the discovery order
 * (control server list → configured relay → default relay).
 */
export interface RelayCandidate {
  id: string;
  /** Round-trip time in ms; null when the relay did not answer. */
  latencyMs: number | null;
}

export interface RelayChoice {
  id: string;
  why: 'pinned' | 'lowest-latency' | 'first-no-answer';
}

export function chooseRelay(
  candidates: readonly RelayCandidate[],
  pinnedId: string | null = null,
): RelayChoice | null {
  if (candidates.length === 0) return null;
  if (pinnedId !== null && candidates.some((c) => c.id === pinnedId)) {
    return { id: pinnedId, why: 'pinned' };
  }
  let best: RelayCandidate | null = null;
  for (const c of candidates) {
    if (c.latencyMs === null || !Number.isFinite(c.latencyMs)) continue;
    if (best === null || c.latencyMs < (best.latencyMs ?? Infinity)) best = c;
  }
  if (best) return { id: best.id, why: 'lowest-latency' };
  return { id: candidates[0]!.id, why: 'first-no-answer' };
}
