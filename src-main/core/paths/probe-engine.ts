import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  encodeProbeUnsigned,
  parseProbe,
  PROBE_MAC_OFFSET,
  ProbeType,
  type ProbeObserved,
} from '../../../src-shared/protocol/probe-packets.js';
import { toHex } from '../../../src-shared/protocol/bytes.js';
import { mac16, macEqual } from '../../../src-common/crypto/mac.js';
import { deriveProbeKey, probeSenderId } from '../crypto/probe-key.js';
import type { DatagramSource, PublicSocket } from '../net/public-socket.js';
import { relayDataHeaderOf } from '../relay/relay-frames-client.js';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';

/**
 * Sends authenticated probes to peers and answers theirs (layout: probe-packets.ts). A ping on a
 * path both punches the NAT hole and measures the path's RTT; a pong proves the path works both
 * ways. Pings from a peer are answered at the address they came from (or inside the route they
 * came through), which is what lets a full-cone side answer a symmetric side's fresh mapping.
 */
export type ProbeVia =
  /** `socket`: a probe socket (port probing) instead of the public socket. */
  | { kind: 'direct'; host: string; port: number; socket?: number }
  | { kind: 'relay'; host: string; port: number; routeId: Uint8Array };

export interface ProbeEngineOptions {
  privateKey: string;
  publicKey: string;
  /** The public socket probes leave from (the one the tunnel uses: that is what they test). */
  socket: Pick<PublicSocket, 'send'>;
  clock?: Clock;
  /** A route id (hex) → the relay endpoint it lives on, to answer pings that came through a relay. */
  routeEndpoint?: (routeHex: string) => { host: string; port: number; routeId: Uint8Array } | null;
}

export interface PingReceived {
  peer: string;
  via: ProbeVia;
}

interface Pending {
  peer: string;
  sentAt: number;
  resolve: (rttMs: number | null) => void;
  timer: TimerHandle;
}

interface PeerKeys {
  publicKey: string;
  key: Buffer;
}

export class ProbeEngine {
  private readonly peersById = new Map<string, PeerKeys>();
  private readonly pending = new Map<string, Pending>();
  private readonly senderId: Buffer;
  private readonly clock: Clock;
  private pingListener: ((ping: PingReceived) => void) | null = null;
  /** Probes dropped because they failed authentication or parsing (never answered). */
  rejected = 0;

  constructor(private readonly options: ProbeEngineOptions) {
    this.senderId = probeSenderId(options.publicKey);
    this.clock = options.clock ?? systemClock;
  }

  addPeer(publicKey: string): void {
    this.peersById.set(toHex(probeSenderId(publicKey)), {
      publicKey,
      key: deriveProbeKey(this.options.privateKey, this.options.publicKey, publicKey),
    });
  }

  removePeer(publicKey: string): void {
    this.peersById.delete(toHex(probeSenderId(publicKey)));
    for (const [tx, p] of this.pending) {
      if (p.peer === publicKey) {
        this.clock.clearTimeout(p.timer);
        this.pending.delete(tx);
        p.resolve(null);
      }
    }
  }

  /** Called for every authenticated ping from a peer (hole punching learns paths from these). */
  onPing(listener: (ping: PingReceived) => void): void {
    this.pingListener = listener;
  }

  /** Sends one ping; resolves to the RTT in ms, or null when no pong came within `timeoutMs`. */
  /**
   * `ttl` limits how far a direct ping travels (a punch opener that must die before the far NAT,
   * punch-schedule.ts); the socket's default otherwise.
   */
  ping(peer: string, via: ProbeVia, timeoutMs: number, ttl?: number): Promise<number | null> {
    const keys = this.keysOf(peer);
    if (!keys) return Promise.resolve(null);
    const txId = randomBytes(8);
    const packet = this.sign(
      encodeProbeUnsigned(ProbeType.Ping, this.senderId, txId, null),
      keys.key,
    );
    return new Promise((resolve) => {
      const tx = toHex(txId);
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(tx);
        resolve(null);
      }, timeoutMs);
      this.pending.set(tx, { peer, sentAt: this.clock.nowPrecise(), resolve, timer });
      this.sendVia(packet, via, ttl);
    });
  }

  /** Feeds a datagram the mux classified as a probe. */
  handle(packet: Uint8Array, from: DatagramSource, viaRoute: string | null): void {
    const parsed = parseProbe(packet);
    if (!parsed.ok) {
      this.rejected++;
      return;
    }
    const probe = parsed.value;
    const keys = this.peersById.get(toHex(probe.senderId));
    if (!keys || !macEqual(mac16(keys.key, probe.macInput), probe.mac)) {
      this.rejected++;
      return;
    }
    const via = this.viaFor(from, viaRoute);
    if (!via) {
      this.rejected++;
      return;
    }
    if (probe.type === ProbeType.Ping) {
      const observed = observedOf(from);
      const pong = encodeProbeUnsigned(ProbeType.Pong, this.senderId, probe.txId, observed);
      this.sendVia(this.sign(pong, keys.key), via);
      this.pingListener?.({ peer: keys.publicKey, via });
      return;
    }
    const tx = toHex(probe.txId);
    const pending = this.pending.get(tx);
    if (!pending || pending.peer !== keys.publicKey) return;
    this.pending.delete(tx);
    this.clock.clearTimeout(pending.timer);
    pending.resolve(this.clock.nowPrecise() - pending.sentAt);
  }

  close(): void {
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
  }

  private keysOf(peer: string): PeerKeys | null {
    const keys = this.peersById.get(toHex(probeSenderId(peer)));
    return keys && keys.publicKey === peer ? keys : null;
  }

  private sign(unsigned: Uint8Array, key: Buffer): Uint8Array {
    unsigned.set(mac16(key, unsigned.subarray(0, PROBE_MAC_OFFSET)), PROBE_MAC_OFFSET);
    return unsigned;
  }

  private sendVia(packet: Uint8Array, via: ProbeVia, ttl?: number): void {
    if (via.kind === 'direct') {
      const options = {
        ...(ttl !== undefined && { ttl }),
        ...(via.socket !== undefined && { socket: via.socket }),
      };
      if (ttl === undefined && via.socket === undefined)
        this.options.socket.send(packet, via.port, via.host);
      else this.options.socket.send(packet, via.port, via.host, options);
    } else this.options.socket.send([relayDataHeaderOf(via.routeId), packet], via.port, via.host);
  }

  private viaFor(from: DatagramSource, viaRoute: string | null): ProbeVia | null {
    if (viaRoute === null) {
      const via: ProbeVia = { kind: 'direct', host: from.address, port: from.port };
      if (from.socket !== undefined) via.socket = from.socket;
      return via;
    }
    const route = this.options.routeEndpoint?.(viaRoute);
    return route ? { kind: 'relay', ...route } : null;
  }
}

function observedOf(from: { address: string; port: number }): ProbeObserved | null {
  if (!isIPv4(from.address)) return null;
  return {
    family: 4,
    port: from.port,
    address: Uint8Array.from(from.address.split('.').map(Number)),
  };
}
