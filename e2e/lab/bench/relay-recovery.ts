import type { PartyLab } from '../party-lab.js';
import { PingStream } from './bench-probes.js';
import { peerOf } from './tunnel-join.js';

/**
 * Figure 4: a relayed pair loses its relay (SIGKILL, as a crash). Ping over the tunnel every
 * 50 ms throughout and report the outage: the longest silence between replies that spans the
 * kill, and the time from the kill to the reply that ends it.
 */
const INTERVAL_S = 0.05;
// Replies before the kill prove the ping works, so a silence afterwards is the outage.
const WARMUP_MS = 1_000;
// Silence longer than this many intervals is an outage, not a late reply.
const OUTAGE_MIN_MS = 300;
// Replies in a row after the outage before calling it over.
const RESUMED_REPLIES = 10;
// With no outage at all after this long, the kill did not touch the pair's path.
const NO_OUTAGE_MS = 8_000;
// Far above the 5 s aim; no replies by then means recovery is broken.
const RECOVERY_TIMEOUT_MS = 30_000;

export interface RecoveryFigure {
  relayKilled: string;
  /** Last reply before the outage → first reply after it. */
  gapMs: number;
  /** Kill → first reply after the outage. */
  killToReplyMs: number;
  /** The pair's relay once ping works again. */
  after: string;
}

function outage(replies: number[], killAt: number): { from: number; to: number } | null {
  let worst: { from: number; to: number } | null = null;
  for (let i = 1; i < replies.length; i++) {
    const [from, to] = [replies[i - 1]!, replies[i]!];
    if (to < killAt || to - from < OUTAGE_MIN_MS) continue;
    if (!worst || to - from > worst.to - worst.from) worst = { from, to };
  }
  return worst;
}

export async function measureRelayRecovery(
  party: PartyLab,
  a: string,
  b: string,
): Promise<RecoveryFigure> {
  const before = peerOf(await party.status(a), b);
  if (before.strategy !== 'relay' || !before.relay)
    throw new Error(`${a} → ${b} is not relayed (${before.strategy}); nothing to kill`);
  const target = before.virtualIp;
  const stream = PingStream.start(party.player(a).ns, target, INTERVAL_S);
  try {
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    if (stream.replies.length === 0) throw new Error(`${a} → ${b}: no ping replies before kill`);
    const killAt = Date.now();
    await party.killRelay(before.relay.id);
    let found: { from: number; to: number } | null = null;
    while (Date.now() - killAt < RECOVERY_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = outage(stream.replies, killAt);
      found = now;
      if (now && stream.replies.filter((t) => t >= now.to).length >= RESUMED_REPLIES) break;
      if (!found && Date.now() - killAt > NO_OUTAGE_MS) break;
    }
    const last = stream.replies.at(-1) ?? 0;
    if (found === null && last < killAt + NO_OUTAGE_MS / 2)
      throw new Error(`${a} → ${b}: no ping replies within ${RECOVERY_TIMEOUT_MS} ms of the kill`);
    const after = peerOf(await party.status(a), b);
    return {
      relayKilled: before.relay.id,
      gapMs: found ? found.to - found.from : 0,
      killToReplyMs: found ? found.to - killAt : 0,
      after: `${after.strategy}${after.relay ? `@${after.relay.id}` : ''}`,
    };
  } finally {
    await stream.stop();
  }
}
