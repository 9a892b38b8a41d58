import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { startRawWireGuard, type RawWireGuard } from '../raw-wireguard.js';
import type { PlayerLayout } from '../topology.js';

/**
 * A plain wireguard-go tunnel between two lab players — the baseline LANrage is measured
 * against — that can run beside LANrage in the same namespaces: its own interface names
 * (lr<lab id>b<n>, still under the lab's prefix so teardown removes their sockets), its own
 * range (10.77.<n>.0/24; LANrage uses 10.66.0.0/16) and its own port (below the ephemeral
 * range, where LANrage's OS-picked ports live).
 */
const RAW_PORT_BASE = 21820;

export interface RawPair {
  /** `from`'s tunnel interface and the address of `to` across it. */
  fromIf: string;
  toAddr: string;
  /** Both wireguard-go processes. */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Brings both interfaces up. Only `from` knows an endpoint (`to`'s underlay address), so `from`
 * must be the side that can reach the other through its NAT; `to` learns `from`'s mapped
 * address from the handshake, as WireGuard roaming does.
 */
export async function startRawPair(
  labId: string,
  n: number,
  from: PlayerLayout,
  to: PlayerLayout,
): Promise<RawPair> {
  const port = RAW_PORT_BASE + n;
  const [fromAddr, toAddr] = [`10.77.${n}.2`, `10.77.${n}.1`];
  const [kFrom, kTo] = [generateKeyPair(), generateKeyPair()];
  const tunnels: RawWireGuard[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(tunnels.map((t) => t.stop()));
  };
  try {
    const base = { listenPort: port };
    tunnels.push(
      await startRawWireGuard({
        ...base,
        ns: to.ns,
        ifname: `lr${labId}b${2 * n}`,
        privateKey: kTo.privateKey,
        address: `${toAddr}/24`,
      }),
    );
    const fromIf = `lr${labId}b${2 * n + 1}`;
    tunnels.push(
      await startRawWireGuard({
        ...base,
        ns: from.ns,
        ifname: fromIf,
        privateKey: kFrom.privateKey,
        address: `${fromAddr}/24`,
      }),
    );
    await tunnels[0]!.addPeer(kFrom.publicKey, fromAddr, null);
    await tunnels[1]!.addPeer(kTo.publicKey, toAddr, `${to.ip}:${port}`);
    return { fromIf, toAddr, pids: tunnels.map((t) => t.pid), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
