import type { Clock } from '../time/clock.js';
import { seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { MemoryFirewall } from './memory-firewall.js';
import { MemoryNat, type Address, type MemoryNatKind } from './memory-nat.js';

/**
 * An internet in memory for fast tests of the connection logic: public hosts, private networks
 * behind NATs of every kind (memory-nat.ts), UDP sockets on both, one-way latency, and links that
 * can be cut. Delivery is scheduled on the injected clock, so a fake clock runs a whole party's
 * punching, relaying and failover in milliseconds of real time.
 *
 *   private host 192.168.N.x ──► NAT N (public IP) ──► the internet ──► public host / NAT M ──► …
 *
 * A host may also have a global IPv6 address (`giveIpv6`): its sockets take IPv6 on the same port
 * (dual-stack, as the WireGuard helper's), IPv6 is routed without NAT, and a host behind a NAT has
 * a stateful IPv6 firewall in front of it instead (memory-firewall.ts).
 *
 * Two hosts behind the same NAT reach each other directly on their private addresses (their LAN).
 * A NAT does not hairpin: a packet to its own public IP from inside is dropped, as many home
 * routers do — which is why LANrage tries LAN candidates first for peers behind the same IP.
 */
export type DatagramHandler = (data: Buffer, from: { address: string; port: number }) => void;

/** One-way delay of every hop unless a test says otherwise: a nearby peer, a few ms away. */
export const DEFAULT_LATENCY_MS = 5;
/** First port a socket bound to port 0 gets on a host. */
const FIRST_EPHEMERAL_PORT = 50_000;

export class MemorySocket {
  private handler: DatagramHandler | null = null;
  closed = false;

  constructor(
    private readonly internet: MemoryInternet,
    readonly host: MemoryHost,
    readonly port: number,
  ) {}

  get address(): string {
    return this.host.ip;
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string): void {
    if (this.closed) return;
    const bytes = Buffer.concat(Array.isArray(data) ? data : [data as Uint8Array]);
    if (host.includes(':')) {
      this.internet.route6(bytes, this.host, this.port, { ip: host, port });
      return;
    }
    this.internet.route(bytes, { ip: this.host.ip, port: this.port }, this.host, {
      ip: host,
      port,
    });
  }

  close(): void {
    this.closed = true;
    this.host.sockets.delete(this.port);
  }

  /** @internal the internet hands a datagram to the socket. */
  deliver(data: Buffer, from: Address): void {
    if (!this.closed) this.handler?.(data, { address: from.ip, port: from.port });
  }
}

export class MemoryHost {
  readonly sockets = new Map<number, MemorySocket>();
  private nextPort = FIRST_EPHEMERAL_PORT;
  /** The host's global IPv6 address, and the stateful firewall in front of it (behind a NAT). */
  ipv6: string | null = null;
  firewall: MemoryFirewall | null = null;

  constructor(
    private readonly internet: MemoryInternet,
    readonly ip: string,
    /** The NAT in front of this host; null for a host on the internet itself. */
    readonly nat: MemoryNat | null,
  ) {}

  /** Binds a UDP socket; port 0 picks the next free one. */
  bind(port = 0): MemorySocket {
    let chosen = port;
    if (chosen === 0) while (this.sockets.has((chosen = this.nextPort++)));
    if (this.sockets.has(chosen)) throw new Error(`${this.ip}:${chosen} is already bound`);
    const socket = new MemorySocket(this.internet, this, chosen);
    this.sockets.set(chosen, socket);
    return socket;
  }
}

export interface MemoryInternetOptions {
  clock: Clock;
  latencyMs?: number;
  /** Symmetric NATs' port draws (memory-nat.ts); a fixed seed unless a test gives its own. */
  random?: () => number;
}

/** The default seed of symmetric NATs' port draws: every run maps the same ports. */
const DEFAULT_NAT_SEED = 0x4c52;

export class MemoryInternet {
  private readonly hosts = new Map<string, MemoryHost>();
  private readonly hostsV6 = new Map<string, MemoryHost>();
  private readonly nats = new Map<string, MemoryNat>();
  private readonly cut = new Set<string>();
  private readonly hostLatency = new Map<string, number>();
  private privateNets = 0;
  /** Datagrams delivered and dropped, for tests that count packets. */
  readonly stats = { delivered: 0, dropped: 0 };
  /** Datagrams sent towards each destination IP, whatever became of them (reflection tests). */
  readonly sentTo = new Map<string, number>();

  private readonly random: () => number;

  constructor(private readonly o: MemoryInternetOptions) {
    this.random = o.random ?? seededRandom(DEFAULT_NAT_SEED);
  }

  /** A host with a public address (a server, or a player with no NAT: "open"). */
  publicHost(ip: string): MemoryHost {
    return this.add(new MemoryHost(this, ip, null));
  }

  /** A player's network: a host behind a NAT of `kind` (open: a public host at `publicIp`). */
  player(kind: MemoryNatKind, publicIp: string, hostsBehind = 1): MemoryHost[] {
    if (kind === 'open') return [this.publicHost(publicIp)];
    const nat = new MemoryNat(kind, publicIp, this.random);
    this.nats.set(publicIp, nat);
    const net = ++this.privateNets;
    return Array.from({ length: hostsBehind }, (_, i) =>
      this.add(new MemoryHost(this, `192.168.${net}.${10 + i}`, nat)),
    );
  }

  /**
   * Gives `host` a global IPv6 address; a host behind a NAT gets a stateful firewall for IPv6
   * (its router's), an open host none.
   */
  giveIpv6(host: MemoryHost, ipv6: string): void {
    if (this.hostsV6.has(ipv6)) throw new Error(`${ipv6} already exists`);
    host.ipv6 = ipv6;
    host.firewall = host.nat ? new MemoryFirewall() : null;
    this.hostsV6.set(ipv6, host);
  }

  /** Extra one-way delay for every packet to or from `ip` (a far relay). */
  setLatency(ip: string, ms: number): void {
    this.hostLatency.set(ip, ms);
  }

  /** Drops all UDP between two public IPs (both ways) until `restore`. */
  block(a: string, b: string): void {
    this.cut.add(pairKey(a, b));
  }

  restore(a: string, b: string): void {
    this.cut.delete(pairKey(a, b));
  }

  /** Takes a host off the net: everything to or from it is dropped until `plug`. */
  unplug(ip: string): void {
    this.cut.add(`*${ip}`);
  }

  plug(ip: string): void {
    this.cut.delete(`*${ip}`);
  }

  /** @internal */
  route(data: Buffer, src: Address, from: MemoryHost, to: Address): void {
    this.sentTo.set(to.ip, (this.sentTo.get(to.ip) ?? 0) + 1);
    // Same private network: straight across the LAN, no NAT involved.
    const local = this.hosts.get(to.ip);
    if (local && from.nat !== null && local.nat === from.nat) {
      this.schedule(data, src, local, to.port, this.o.latencyMs ?? DEFAULT_LATENCY_MS);
      return;
    }
    if (from.nat !== null && to.ip === from.nat.publicIp) return this.drop(); // no hairpinning
    const outside: Address = from.nat
      ? { ip: from.nat.publicIp, port: from.nat.outbound(src, to) }
      : src;
    if (this.cut.has(pairKey(outside.ip, to.ip)) || this.unplugged(outside.ip, to.ip)) {
      return this.drop();
    }
    const delay =
      (this.o.latencyMs ?? DEFAULT_LATENCY_MS) +
      (this.hostLatency.get(outside.ip) ?? 0) +
      (this.hostLatency.get(to.ip) ?? 0);
    const nat = this.nats.get(to.ip);
    if (nat) {
      // Filtering happens when the packet arrives, against the mappings of that moment.
      this.o.clock.setTimeout(() => {
        const inside = nat.inbound(outside, to.port);
        const host = inside ? this.hosts.get(inside.ip) : undefined;
        if (!inside || !host) return this.drop();
        this.deliverNow(data, outside, host, inside.port);
      }, delay);
      return;
    }
    const host = this.hosts.get(to.ip);
    if (!host || host.nat !== null) return this.drop();
    this.schedule(data, outside, host, to.port, delay);
  }

  /** @internal an IPv6 datagram: no NAT, only the firewalls on both ends. */
  route6(data: Buffer, from: MemoryHost, fromPort: number, to: Address): void {
    if (from.ipv6 === null) return this.drop(); // no IPv6 here: no route
    const src: Address = { ip: from.ipv6, port: fromPort };
    from.firewall?.outbound(fromPort, to);
    if (this.cut.has(pairKey(src.ip, to.ip)) || this.unplugged(from.ip, to.ip)) return this.drop();
    const delay = this.o.latencyMs ?? DEFAULT_LATENCY_MS;
    this.o.clock.setTimeout(() => {
      const host = this.hostsV6.get(to.ip);
      // Filtering happens on arrival, against the flows the inside had opened by then.
      if (!host || (host.firewall && !host.firewall.inbound(src, to.port))) return this.drop();
      this.deliverNow(data, src, host, to.port);
    }, delay);
  }

  private schedule(data: Buffer, from: Address, host: MemoryHost, port: number, delay: number) {
    this.o.clock.setTimeout(() => this.deliverNow(data, from, host, port), delay);
  }

  private deliverNow(data: Buffer, from: Address, host: MemoryHost, port: number): void {
    const socket = host.sockets.get(port);
    if (!socket || this.unplugged(host.ip, from.ip)) return this.drop();
    this.stats.delivered++;
    socket.deliver(data, from);
  }

  private unplugged(a: string, b: string): boolean {
    return this.cut.has(`*${a}`) || this.cut.has(`*${b}`);
  }

  private drop(): void {
    this.stats.dropped++;
  }

  private add(host: MemoryHost): MemoryHost {
    if (this.hosts.has(host.ip)) throw new Error(`${host.ip} already exists`);
    this.hosts.set(host.ip, host);
    return host;
  }
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
