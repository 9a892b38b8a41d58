import { createStore, useStore, type StoreApi } from 'zustand';
import {
  LATENCY_HISTORY_STEP_MS,
  type CoreStatus,
  type PeerStatus,
} from '../../src-shared/domain/core-status';

/**
 * The party domain: the core's last pushed status, each peer's latency over the last five minutes
 * (seeded from the core's five-minute history, then one sample a second of its own), and the party
 * command in flight with its error. Fed by install-core-listeners.ts and party-actions.ts.
 */
export interface LatencySample {
  t: number;
  ms: number;
}

/** The sparkline's window: five minutes is a game's worth of "did it just get worse?". */
export const SPARKLINE_WINDOW_MS = 5 * 60_000;
/** One sample a second is all a 120-pixel sparkline can show over five minutes. */
export const SAMPLE_EVERY_MS = 1_000;

export type PartyCommand = 'create' | 'join' | 'leave';

export interface PartyStoreState {
  status: CoreStatus | null;
  samples: Readonly<Record<string, readonly LatencySample[]>>;
  busy: PartyCommand | null;
  error: { command: PartyCommand; code: string; message: string } | null;
}

export interface PartyStoreActions {
  statusReceived(status: CoreStatus, now: number): void;
  commandStarted(command: PartyCommand): void;
  commandFailed(command: PartyCommand, code: string, message: string): void;
  commandDone(): void;
  clearError(): void;
}

export type PartyStore = PartyStoreState & PartyStoreActions;

export function createPartyStore(): StoreApi<PartyStore> {
  return createStore<PartyStore>()((set, get) => ({
    status: null,
    samples: {},
    busy: null,
    error: null,
    statusReceived: (status, now) =>
      set({ status, samples: nextSamples(get().samples, status.peers, now) }),
    commandStarted: (command) => set({ busy: command, error: null }),
    commandFailed: (command, code, message) =>
      set({ busy: null, error: { command, code, message } }),
    commandDone: () => set({ busy: null }),
    clearError: () => set({ error: null }),
  }));
}

/** Adds at most one sample per peer per SAMPLE_EVERY_MS, drops old ones and departed peers. */
export function nextSamples(
  previous: Readonly<Record<string, readonly LatencySample[]>>,
  peers: readonly PeerStatus[],
  now: number,
): Record<string, readonly LatencySample[]> {
  const next: Record<string, readonly LatencySample[]> = {};
  for (const peer of peers) {
    let list = previous[peer.id] ?? seed(peer, now);
    const last = list[list.length - 1];
    if (peer.latencyMs !== null && (last === undefined || now - last.t >= SAMPLE_EVERY_MS)) {
      list = [...list, { t: now, ms: peer.latencyMs }];
    }
    const first = list.findIndex((s) => now - s.t <= SPARKLINE_WINDOW_MS);
    next[peer.id] = first <= 0 ? list : list.slice(first);
  }
  return next;
}

/**
 * A peer first seen already has the core's last five minutes (one value per
 * LATENCY_HISTORY_STEP_MS, the step in progress last): start from them, each at its distance from
 * now. The step in progress is left to the live sample that follows; empty steps leave a gap.
 */
function seed(peer: PeerStatus, now: number): LatencySample[] {
  const history = peer.latencyHistory.slice(0, -1);
  const samples: LatencySample[] = [];
  history.forEach((ms, i) => {
    if (ms !== null) samples.push({ t: now - (history.length - i) * LATENCY_HISTORY_STEP_MS, ms });
  });
  return samples;
}

export const partyStore = createPartyStore();

export function usePartyStore<T>(selector: (s: PartyStore) => T): T {
  return useStore(partyStore, selector);
}
