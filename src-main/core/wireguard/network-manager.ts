import { icmpLatency, type LatencyProbe } from '../relay/icmp-latency.js';
import type { WgPeerConfig } from './wg-cli.js';
import {
  WireGuardInterface,
  type WireGuardInterfaceOptions,
  type WireGuardLog,
} from './wireguard-interface.js';

/**
 * The seed's NetworkManager: the one WireGuard interface of this member — up with its virtual IP
 * while in a party, down on leave/quit, a stale one from a crash cleared at start — its peers,
 * and ICMP latency to a peer's virtual IP *through* the tunnel (the end-to-end check that
 * WireGuard itself passes traffic, where probes only prove the path beneath it).
 */
export interface NetworkManagerOptions {
  privateKey: string;
  interfaceName: string;
  log: WireGuardLog;
  /** Tool paths and overrides (tests, the lab). */
  wireguard?: Partial<Omit<WireGuardInterfaceOptions, 'privateKey' | 'address' | 'name'>>;
  measure?: LatencyProbe;
}

export class NetworkManager {
  private iface: WireGuardInterface | null = null;
  private readonly measure: LatencyProbe;

  constructor(private readonly o: NetworkManagerOptions) {
    this.measure = o.measure ?? icmpLatency;
  }

  get isUp(): boolean {
    return this.iface !== null;
  }

  /** Removes an interface of our name left by a crashed run; true when there was one. */
  async cleanupStale(): Promise<boolean> {
    // The address is irrelevant for cleanup; the interface name is what is looked for.
    return this.create('10.66.0.1').cleanupStale();
  }

  /** Brings the interface up with our virtual IP; returns WireGuard's listen port. */
  async up(virtualIp: string): Promise<number> {
    if (this.iface) await this.down();
    const iface = this.create(virtualIp);
    const up = await iface.up();
    this.iface = iface;
    return up.listenPort;
  }

  async down(): Promise<void> {
    const iface = this.iface;
    this.iface = null;
    if (iface) await iface.down();
  }

  setPeer(peer: WgPeerConfig): Promise<void> {
    return this.require().setPeer(peer);
  }

  removePeer(publicKey: string): Promise<void> {
    return this.require().removePeer(publicKey);
  }

  /** ICMP RTT to a peer's virtual IP over the tunnel, or null when nothing came back. */
  tunnelLatency(virtualIp: string): Promise<number | null> {
    return this.iface ? this.measure(virtualIp) : Promise.resolve(null);
  }

  private require(): WireGuardInterface {
    if (!this.iface) throw new Error('WireGuard interface is not up');
    return this.iface;
  }

  private create(address: string): WireGuardInterface {
    return new WireGuardInterface({
      ...this.o.wireguard,
      privateKey: this.o.privateKey,
      address,
      name: this.o.interfaceName,
      listenPort: 0,
      log: this.o.log,
    });
  }
}
