import type { Logger } from '../../../src-common/logging/logger.js';
import { UdpMux } from '../paths/udp-mux.js';
import type { Clock } from '../time/clock.js';
import { NetworkManager } from '../wireguard/network-manager.js';
import type { WireGuardInterfaceOptions } from '../wireguard/wireguard-interface.js';
import { LoopbackDataPlane } from './loopback-data-plane.js';
import type { PacketNetwork, PacketNetworkOpener } from './packet-network.js';

/**
 * The default packet network: the public socket is a UdpMux in this process, the data plane is
 * WireGuard (kernel or wireguard-go, set up with `wg`/`ip`) behind the mux's loopback ports.
 */
export interface WireGuardGoNetworkOptions {
  privateKey: string;
  interfaceName: string;
  /** Tool paths and overrides (tests, the lab). */
  wireguard?: Partial<Omit<WireGuardInterfaceOptions, 'privateKey' | 'address' | 'name'>>;
  log: Logger;
  clock: Clock;
}

export function wireGuardGoNetwork(o: WireGuardGoNetworkOptions): PacketNetworkOpener {
  return async ({ listenPort }): Promise<PacketNetwork> => {
    const network = new NetworkManager({
      privateKey: o.privateKey,
      interfaceName: o.interfaceName,
      log: o.log,
      ...(o.wireguard ? { wireguard: o.wireguard } : {}),
    });
    const mux = await UdpMux.open(listenPort, { clock: o.clock });
    try {
      // A stale interface from a crash would make `up` fail later; clear it now.
      if (await network.cleanupStale()) {
        o.log.warn('removed a stale WireGuard interface', { ifname: o.interfaceName });
      }
    } catch (error) {
      await mux.close();
      throw error;
    }
    return {
      socket: mux,
      dataPlane: new LoopbackDataPlane(mux, network),
      close: async () => {
        await network.down();
        await mux.close();
      },
    };
  };
}
