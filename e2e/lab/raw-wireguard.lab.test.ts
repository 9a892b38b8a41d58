import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src-common/crypto/x25519.js';
import { parseWgDump } from './wg-dump.js';
import { ping } from './ping.js';
import { startRawWireGuard, type RawWireGuard } from './raw-wireguard.js';
import { Lab } from './topology.js';

/**
 * The lab routes WireGuard: plain wireguard-go (no LANrage code in the path) from a player behind
 * a port-restricted NAT to an open player, knowing only the open side's endpoint. The open side
 * learns the NAT's mapping from the handshake and answers through it.
 */
let lab: Lab;
const tunnels: RawWireGuard[] = [];

beforeAll(async () => {
  lab = await Lab.start({
    players: [
      { name: 'natd', nat: 'port_restricted' },
      { name: 'open', nat: 'open' },
    ],
    stun: false,
  });
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.stop()));
  await lab?.stop();
});

describe('raw wireguard-go through the lab', () => {
  it('tunnels from behind a port-restricted NAT to an open player given only its endpoint', async () => {
    const natd = lab.player('natd');
    const open = lab.player('open');
    const kNat = generateKeyPair();
    const kOpen = generateKeyPair();
    const behind = await startRawWireGuard({
      ns: natd.ns,
      ifname: natd.wgName,
      privateKey: kNat.privateKey,
      address: '10.77.0.1/24',
      listenPort: 51820,
    });
    tunnels.push(behind);
    const server = await startRawWireGuard({
      ns: open.ns,
      ifname: open.wgName,
      privateKey: kOpen.privateKey,
      address: '10.77.0.2/24',
      listenPort: 51820,
    });
    tunnels.push(server);
    // The open side first: the NATed side's keepalive sends a handshake at once, and one that
    // reaches a server not yet knowing the peer is dropped and only retried 5 s later.
    await server.addPeer(kNat.publicKey, '10.77.0.1', null);
    await behind.addPeer(kOpen.publicKey, '10.77.0.2', `${open.publicIp}:51820`);

    const { rttsMs } = await ping(natd.ns, '10.77.0.2', 3, 0.2);
    expect(rttsMs).toHaveLength(3);
    // The open side reaches us at the router's public address: the NAT really is in the path.
    const dump = parseWgDump(await server.dump());
    expect(dump.ok && dump.value.peers[0]?.endpoint?.host).toBe(natd.publicIp);
    // …and the tunnel works in the other direction through the NAT's mapping.
    expect((await ping(open.ns, '10.77.0.1', 2, 0.2)).rttsMs).toHaveLength(2);
  });
});
