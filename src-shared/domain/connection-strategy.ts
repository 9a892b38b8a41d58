import type { NatType } from './nat-type.js';

/**
 * How to reach a peer, from both sides' NAT types (DESIGN's compatibility table) and public IPs.
 *
 *   this side \ peer | open   | any cone           | symmetric | unknown
 *   open             | direct | direct             | direct    | direct
 *   any cone         | direct | direct (hole punch) | relay*   | relay
 *   symmetric        | direct | relay*             | relay     | relay
 *   unknown          | direct | relay              | relay     | relay
 *
 * Additions: two peers behind the same public IP try their LAN addresses first; and (*) a
 * symmetric NAT can reach a FULL cone directly, because a full cone forwards inbound packets from
 * any address, so the symmetric side's fresh mapping needs no hole on the other side: the full-cone
 * side answers the probe at the address it came from. Restricted cones would drop those packets, so
 * they stay on the relay. Every direct attempt that fails falls back to the relay (the caller's job).
 */
export type Strategy = 'lan' | 'direct' | 'relay';

export interface StrategyInput {
  natType: NatType;
  /** The public IP STUN saw; null when unknown. */
  publicIp: string | null;
}

export interface StrategyChoice {
  strategy: Strategy;
  /** One sentence for logs and the UI's details. */
  reason: string;
}

const CONES: readonly NatType[] = ['full_cone', 'restricted_cone', 'port_restricted_cone'];

function isCone(nat: NatType): boolean {
  return CONES.includes(nat);
}

export function chooseStrategy(self: StrategyInput, peer: StrategyInput): StrategyChoice {
  if (self.publicIp !== null && self.publicIp === peer.publicIp) {
    return { strategy: 'lan', reason: `both behind ${self.publicIp}: trying LAN addresses first` };
  }
  const a = self.natType;
  const b = peer.natType;
  if (a === 'open' || b === 'open') {
    return { strategy: 'direct', reason: `${a === 'open' ? 'this side' : 'the peer'} has no NAT` };
  }
  if (isCone(a) && isCone(b)) {
    return { strategy: 'direct', reason: `${a} ↔ ${b}: hole punching` };
  }
  if ((a === 'symmetric' && b === 'full_cone') || (a === 'full_cone' && b === 'symmetric')) {
    return {
      strategy: 'direct',
      reason: 'symmetric ↔ full_cone: the full cone accepts any source',
    };
  }
  return { strategy: 'relay', reason: `${a} ↔ ${b}: no direct path can be opened` };
}
