/**
 * NAT behaviour in memory, as RFC 4787 describes it (Tailscale's natlab is the model): a mapping
 * rule (which outside port an inside socket gets) and a filtering rule (which outside senders may
 * reach that port). The five kinds LANrage must tell apart:
 *
 *   kind                  mapping                      filtering
 *   open                  none (the host is public)    none
 *   full_cone             endpoint-independent         endpoint-independent
 *   restricted_cone       endpoint-independent         address-dependent
 *   port_restricted_cone  endpoint-independent         address-and-port-dependent
 *   symmetric             address-and-port-dependent   address-and-port-dependent
 *
 * Pure bookkeeping: the internet (memory-internet.ts) asks it to translate each packet.
 */
export type MemoryNatKind =
  'open' | 'full_cone' | 'restricted_cone' | 'port_restricted_cone' | 'symmetric';

export interface Address {
  ip: string;
  port: number;
}

/** First outside port a cone NAT hands out; ports then count up, so runs are reproducible. */
export const FIRST_MAPPED_PORT = 40_000;
/**
 * A symmetric NAT draws each mapping's port at random from 1024–65535 (as Linux's
 * `masquerade fully-random` does): sequential ports would make port probing trivially easy and
 * prove nothing. The draw comes from the injected `random` (seeded in tests: reproducible).
 */
export const SYMMETRIC_PORT_MIN = 1024;
export const SYMMETRIC_PORT_MAX = 65_535;

interface Mapping {
  inside: Address;
  outsidePort: number;
  /** Remote "ip" (address-dependent) or "ip:port" (address-and-port-dependent) sent to. */
  permitted: Set<string>;
}

const key = (a: Address) => `${a.ip}:${a.port}`;

export class MemoryNat {
  private nextPort = FIRST_MAPPED_PORT;
  /** By mapping key: the inside endpoint, plus the destination for symmetric NATs. */
  private readonly byInside = new Map<string, Mapping>();
  private readonly byOutsidePort = new Map<number, Mapping>();
  /**
   * Port forwards a router maps on request (NAT-PMP, PCP, UPnP), as Linux does them with DNAT:
   * inbound from anyone reaches `inside`, and that sender then gets its replies from the forwarded
   * port (conntrack's reply direction). A forwarded packet from a sender the inside host already
   * sent to through its own mapping collides with that mapping and is dropped, as conntrack does.
   */
  private readonly forwards = new Map<number, { inside: Address; repliesTo: Set<string> }>();

  constructor(
    readonly kind: Exclude<MemoryNatKind, 'open'>,
    readonly publicIp: string,
    /** Uniform in [0, 1): a symmetric NAT's port draw. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Forwards `outsidePort` to `inside` (a mapping the router granted). */
  forward(outsidePort: number, inside: Address): void {
    this.forwards.set(outsidePort, { inside, repliesTo: new Set() });
  }

  /** The outside port for a packet from `inside` to `to`, creating the mapping if needed. */
  outbound(inside: Address, to: Address): number {
    for (const [port, f] of this.forwards)
      if (key(f.inside) === key(inside) && f.repliesTo.has(key(to))) return port;
    const mapKey = this.kind === 'symmetric' ? `${key(inside)}>${key(to)}` : key(inside);
    let mapping = this.byInside.get(mapKey);
    if (!mapping) {
      mapping = { inside, outsidePort: this.nextOutsidePort(), permitted: new Set() };
      this.byInside.set(mapKey, mapping);
      this.byOutsidePort.set(mapping.outsidePort, mapping);
    }
    mapping.permitted.add(this.kind === 'restricted_cone' ? to.ip : key(to));
    return mapping.outsidePort;
  }

  /** The inside endpoint a packet from `from` to our `outsidePort` reaches, or null (dropped). */
  inbound(from: Address, outsidePort: number): Address | null {
    const forward = this.forwards.get(outsidePort);
    if (forward) {
      const sentBefore = [...this.byInside.values()].some(
        (m) => key(m.inside) === key(forward.inside) && m.permitted.has(key(from)),
      );
      if (sentBefore && !forward.repliesTo.has(key(from))) return null;
      forward.repliesTo.add(key(from));
      return forward.inside;
    }
    const mapping = this.byOutsidePort.get(outsidePort);
    if (!mapping) return null;
    switch (this.kind) {
      case 'full_cone':
        return mapping.inside;
      case 'restricted_cone':
        return mapping.permitted.has(from.ip) ? mapping.inside : null;
      default:
        return mapping.permitted.has(key(from)) ? mapping.inside : null;
    }
  }

  private nextOutsidePort(): number {
    if (this.kind !== 'symmetric') return this.nextPort++;
    const span = SYMMETRIC_PORT_MAX - SYMMETRIC_PORT_MIN + 1;
    for (;;) {
      const port = SYMMETRIC_PORT_MIN + Math.floor(this.random() * span);
      if (!this.byOutsidePort.has(port)) return port;
    }
  }

  /** How many mappings exist (tests of symmetric NATs count them). */
  get mappings(): number {
    return this.byOutsidePort.size;
  }
}
