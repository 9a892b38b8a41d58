import type { Address } from './memory-nat.js';

/**
 * A home router's stateful IPv6 firewall, in memory (the lab's nftables ruleset in
 * e2e/lab/nat-router.ts is the real one): no NAT, so addresses and ports pass unchanged, and
 * inbound UDP reaches an inside socket only from a remote address and port that socket has sent
 * to (the conntrack entry its own packet made). Nothing else from outside gets in.
 *
 * Pure bookkeeping: the internet (memory-internet.ts) asks it about each IPv6 packet.
 */
const flow = (insidePort: number, remote: Address) => `${insidePort}>${remote.ip}|${remote.port}`;

export class MemoryFirewall {
  private readonly open = new Set<string>();

  /** An inside socket on `insidePort` sends to `remote`: replies from there may come in. */
  outbound(insidePort: number, remote: Address): void {
    this.open.add(flow(insidePort, remote));
  }

  /** Whether a packet from `remote` to the inside `insidePort` passes. */
  inbound(remote: Address, insidePort: number): boolean {
    return this.open.has(flow(insidePort, remote));
  }
}
