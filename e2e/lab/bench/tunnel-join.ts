import { join } from 'node:path';
import type { PeerStatus } from '../../../src-shared/domain/core-status.js';
import { brief, type PartyLab, type StatusJson } from '../party-lab.js';
import { firstReplyMs } from './bench-probes.js';
import { joinTimeline, type JoinTimeline } from './join-timeline.js';
import { startRawPair } from './raw-pair.js';

/**
 * Figure 1: how long a player waits from `lanrage up --join` to the first ping answered over the
 * tunnel, and the same for plain wireguard-go between the same namespaces.
 */
// Far above the 2 s aim; a join that takes this long is broken, not slow.
const FIRST_REPLY_TIMEOUT_S = 15;

export interface JoinFigure {
  /** `lanrage up --join` started → first echo reply from the peer's virtual IP. */
  lanrageMs: number;
  /** Strategy the joiner reported for that peer just after the first reply. */
  strategy: string;
  /** Raw wireguard-go: both interfaces up with keys and endpoint → first echo reply. */
  rawIfaceUpMs: number;
  /** Raw wireguard-go including starting both wireguard-go processes. */
  rawWithStartMs: number;
  /** Milestones of the LANrage join, from the joiner's log. */
  timeline: JoinTimeline;
}

export function peerOf(s: StatusJson, name: string): PeerStatus {
  const p = s.peers.find((x) => x.name === name);
  if (!p) throw new Error(`${s.self.name} does not list ${name}: ${s.peers.map(brief).join(', ')}`);
  return p;
}

/**
 * Raw wireguard-go from `joiner` to `rawPeer`. `rawPeer` must be reachable through the joiner's
 * NAT with no help (an open player): for a pair of symmetric NATs no plain tunnel exists at all,
 * so for the relayed figure the baseline is the same joiner's namespace to an open player — the
 * floor of "keys and endpoint known, WireGuard handshake, one ping".
 */
export async function rawFirstReply(
  party: PartyLab,
  n: number,
  joiner: string,
  rawPeer: string,
): Promise<Pick<JoinFigure, 'rawIfaceUpMs' | 'rawWithStartMs'>> {
  const from = party.player(joiner);
  const startedAt = Date.now();
  const pair = await startRawPair(party.lab.layout.id, n, from, party.player(rawPeer));
  try {
    const upAt = Date.now();
    const ms = await firstReplyMs(from.ns, pair.toAddr, pair.fromIf, upAt, FIRST_REPLY_TIMEOUT_S);
    return { rawIfaceUpMs: ms, rawWithStartMs: ms + (upAt - startedAt) };
  } finally {
    await pair.stop();
  }
}

/** `lanrage up --join` for `joiner`, timed to the first reply from `target` over the tunnel. */
export async function lanrageFirstReply(
  party: PartyLab,
  invite: string,
  joiner: string,
  target: string,
): Promise<Pick<JoinFigure, 'lanrageMs' | 'strategy' | 'timeline'>> {
  const targetIp = (await party.status(target)).self.virtualIp;
  if (targetIp === null) throw new Error(`${target} has no virtual IP`);
  const player = party.player(joiner);
  // `up` spawns the process before its first await, so this is the moment the command starts.
  const startedAt = Date.now();
  const up = party.up(joiner, { join: invite });
  const [lanrageMs] = await Promise.all([
    firstReplyMs(player.ns, targetIp, player.wgName, startedAt, FIRST_REPLY_TIMEOUT_S),
    up,
  ]);
  const peer = peerOf(await party.status(joiner), target);
  return {
    lanrageMs,
    strategy: `${peer.strategy}${peer.relay ? `@${peer.relay.id}` : ''}`,
    timeline: await joinTimeline(join(party.logDir, `player-${joiner}.log`), target, startedAt),
  };
}
