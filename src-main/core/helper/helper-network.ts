import type { PacketNetwork, PacketNetworkOpener } from '../net/packet-network.js';
import { HelperDataPlane, type HelperDataPlaneOptions } from './helper-data-plane.js';

/**
 * The packet network of a real client: the WireGuard helper opens the interface, the WireGuard
 * device and the public socket, and is both the core's public socket and its data plane. There is
 * no second data path to fall back to: a helper that cannot start is an error.
 */
export function helperNetwork(o: Omit<HelperDataPlaneOptions, 'listenPort'>): PacketNetworkOpener {
  return async ({ listenPort }): Promise<PacketNetwork> => {
    const plane = await HelperDataPlane.start({ ...o, listenPort });
    return { socket: plane, dataPlane: plane, close: () => plane.close() };
  };
}
