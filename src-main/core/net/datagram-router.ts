import { classifyPacket } from '../../../src-shared/protocol/packet-kind.js';
import {
  isRelayData,
  relayDataPayload,
  relayFrameTypeOf,
  RelayFrameType,
  relayRouteKeyOf,
} from '../../../src-shared/protocol/relay-frames.js';
import type { DatagramListener, DatagramSource } from './public-socket.js';

/**
 * Where a datagram that came up from the public socket goes in the core: STUN answers to the STUN
 * client, probes to the probe engine (with the route they came through when wrapped in a relay
 * DATA frame), relay control frames (BIND_ACKs) to the relay binder. WireGuard never comes here
 * (the data plane keeps it); anything else is dropped and counted.
 */
export interface DatagramRoutes {
  stun: { handle(packet: Buffer, from: DatagramSource): unknown };
  probes: { handle(packet: Uint8Array, from: DatagramSource, viaRoute: string | null): void };
  relayControl: { handle(packet: Buffer, from: DatagramSource): void };
}

export interface DatagramRouter {
  listener: DatagramListener;
  /** Datagrams no handler wanted (WireGuard of no known peer, unknown kinds, short frames). */
  readonly dropped: number;
}

export function createDatagramRouter(routes: DatagramRoutes): DatagramRouter {
  let dropped = 0;
  const listener: DatagramListener = (packet, from) => {
    switch (classifyPacket(packet)) {
      case 'stun':
        routes.stun.handle(packet, from);
        return;
      case 'probe':
        routes.probes.handle(packet, from, null);
        return;
      case 'relay':
        if (relayFrameTypeOf(packet) !== RelayFrameType.Data) {
          routes.relayControl.handle(packet, from);
          return;
        }
        if (isRelayData(packet)) {
          const payload = relayDataPayload(packet);
          if (classifyPacket(payload) === 'probe') {
            routes.probes.handle(payload, from, relayRouteKeyOf(packet));
            return;
          }
        }
        dropped++;
        return;
      default:
        dropped++;
    }
  };
  return {
    listener,
    get dropped() {
      return dropped;
    },
  };
}
