import type { Logger } from '../../../src-common/logging/logger.js';
import { StunClient } from '../nat/stun-client.js';
import { ProbeEngine } from '../paths/probe-engine.js';
import { RelayBinder } from '../relay/relay-binder.js';
import type { Clock } from '../time/clock.js';
import { createDatagramRouter } from './datagram-router.js';
import type { PublicSocket } from './public-socket.js';

/**
 * The services that live on the public socket — STUN client, probe engine, relay binder — built
 * and wired to the socket's upward datagrams in one place, for the core and for tests alike.
 */
export interface SocketServices {
  stun: StunClient;
  probes: ProbeEngine;
  binder: RelayBinder;
  close(): void;
}

export interface SocketServicesOptions {
  socket: PublicSocket;
  keys: { publicKey: string; privateKey: string };
  clock: Clock;
  log: Logger;
  /** The control server's clock: relay BIND counters are its timestamps (relay-frames-client). */
  serverNow?: () => number;
}

export function attachSocketServices(o: SocketServicesOptions): SocketServices {
  const binder = new RelayBinder({
    socket: o.socket,
    clock: o.clock,
    ...(o.serverNow && { serverNow: o.serverNow }),
  });
  const stun = new StunClient({
    send: (data, port, host) => o.socket.send(data, port, host),
    clock: o.clock,
    logger: o.log.child({ area: 'stun' }),
  });
  const probes = new ProbeEngine({
    privateKey: o.keys.privateKey,
    publicKey: o.keys.publicKey,
    socket: o.socket,
    clock: o.clock,
    // A ping that came through a relay route is answered through the same route.
    routeEndpoint: (hex) => {
      const relay = binder.relayOf(hex);
      return relay
        ? { host: relay.host, port: relay.port, routeId: Buffer.from(hex, 'hex') }
        : null;
    },
  });
  o.socket.listen(createDatagramRouter({ stun, probes, relayControl: binder }).listener);
  return {
    stun,
    probes,
    binder,
    close: () => {
      binder.close();
      probes.close();
      stun.close();
    },
  };
}
