import { access } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import { WireGuardError } from '../../src-main/core/wireguard/wireguard-error.js';
import {
  WireGuardInterface,
  type WireGuardInterfaceOptions,
} from '../../src-main/core/wireguard/wireguard-interface.js';
import { run, runIn } from './exec.js';
import { ping } from './ping.js';
import { Lab, type PlayerLayout } from './topology.js';

/**
 * The LANrage WireGuard driver (src-main/core/wireguard) with real wireguard-go between two
 * players in namespaces: tunnel traffic, clean teardown, crash recovery, clear errors.
 */
let lab: Lab;
let a: PlayerLayout;
let b: PlayerLayout;
const keysA: KeyPair = generateKeyPair();
const keysB: KeyPair = generateKeyPair();
const VIP_A = '10.66.0.1';
const VIP_B = '10.66.0.2';
const opened: WireGuardInterface[] = [];

function driver(
  player: PlayerLayout,
  keys: KeyPair,
  address: string,
  extra: Partial<WireGuardInterfaceOptions> = {},
) {
  const wg = new WireGuardInterface({
    name: player.wgName,
    privateKey: keys.privateKey,
    address,
    commandPrefix: ['ip', 'netns', 'exec', player.ns],
    ...extra,
  });
  opened.push(wg);
  return wg;
}

async function linkExists(player: PlayerLayout): Promise<boolean> {
  return run('ip', ['-n', player.ns, 'link', 'show', 'dev', player.wgName]).then(
    () => true,
    () => false,
  );
}

async function socketExists(player: PlayerLayout): Promise<boolean> {
  return access(`/var/run/wireguard/${player.wgName}.sock`).then(
    () => true,
    () => false,
  );
}

async function pidsIn(ns: string): Promise<string[]> {
  return (await run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
}

async function bringUpPair(): Promise<[WireGuardInterface, WireGuardInterface]> {
  const wgA = driver(a, keysA, VIP_A);
  const wgB = driver(b, keysB, VIP_B);
  const [upA, upB] = await Promise.all([wgA.up(), wgB.up()]);
  await wgA.setPeer({
    publicKey: keysB.publicKey,
    virtualIp: VIP_B,
    endpoint: { host: b.publicIp, port: upB.listenPort },
    persistentKeepaliveSeconds: 25,
  });
  await wgB.setPeer({
    publicKey: keysA.publicKey,
    virtualIp: VIP_A,
    endpoint: { host: a.publicIp, port: upA.listenPort },
    persistentKeepaliveSeconds: 25,
  });
  return [wgA, wgB];
}

beforeAll(async () => {
  lab = await Lab.start({
    players: [
      { name: 'a', nat: 'open' },
      { name: 'b', nat: 'open' },
    ],
    stun: false,
  });
  a = lab.player('a');
  b = lab.player('b');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((wg) => wg.down()));
});

afterAll(async () => {
  await lab?.stop();
});

describe('WireGuard driver in the lab', () => {
  it('brings up two interfaces that ping each other over the tunnel', async () => {
    const [wgA] = await bringUpPair();
    const { rttsMs } = await ping(a.ns, VIP_B, 3, 0.2);
    expect(rttsMs.length).toBe(3);
    const dump = await wgA.show();
    expect(dump.peers).toHaveLength(1);
    expect(dump.peers[0]).toMatchObject({
      publicKey: keysB.publicKey,
      allowedIps: [`${VIP_B}/32`],
      persistentKeepaliveSeconds: 25,
      endpoint: { host: b.publicIp },
    });
    expect(dump.peers[0]?.latestHandshakeAt).toBeInstanceOf(Date);
    expect(dump.peers[0]?.rxBytes).toBeGreaterThan(0);
    const addr = await runIn(a.ns, 'ip', ['-o', '-4', 'address', 'show', 'dev', a.wgName]);
    expect(addr.stdout).toContain(`${VIP_A}/16`);
    expect((await runIn(a.ns, 'ip', ['-o', 'link', 'show', 'dev', a.wgName])).stdout).toContain(
      'mtu 1420',
    );
  });

  it('leaves no interface, socket or process behind after down', async () => {
    const [wgA, wgB] = await bringUpPair();
    await Promise.all([wgA.down(), wgB.down()]);
    for (const player of [a, b]) {
      expect(await linkExists(player)).toBe(false);
      expect(await socketExists(player)).toBe(false);
      expect(await pidsIn(player.ns)).toEqual([]);
    }
  });

  it('updates a peer in place and removes it', async () => {
    const [wgA] = await bringUpPair();
    await wgA.setPeer({
      publicKey: keysB.publicKey,
      virtualIp: VIP_B,
      endpoint: { host: b.publicIp, port: 4242 },
      persistentKeepaliveSeconds: 0,
    });
    let dump = await wgA.show();
    expect(dump.peers).toHaveLength(1);
    expect(dump.peers[0]).toMatchObject({
      endpoint: { port: 4242 },
      persistentKeepaliveSeconds: null,
    });
    await wgA.removePeer(keysB.publicKey);
    dump = await wgA.show();
    expect(dump.peers).toEqual([]);
  });

  it('rejects a malformed peer with a clear error and changes nothing', async () => {
    const [wgA] = await bringUpPair();
    const before = await wgA.show();
    await expect(
      wgA.setPeer({
        publicKey: 'not-a-key',
        virtualIp: '10.66.0.9',
        endpoint: null,
        persistentKeepaliveSeconds: 25,
      }),
    ).rejects.toThrow(/public key/);
    await expect(
      wgA.setPeer({
        publicKey: keysB.publicKey,
        virtualIp: '10.66.0.9/8',
        endpoint: null,
        persistentKeepaliveSeconds: 25,
      }),
    ).rejects.toThrow(/virtual IP/);
    const after = await wgA.show();
    expect(after.peers.map((p) => [p.publicKey, p.allowedIps])).toEqual(
      before.peers.map((p) => [p.publicKey, p.allowedIps]),
    );
  });

  it('comes up again after wireguard-go was killed with SIGKILL, clearing its stale socket', async () => {
    const first = driver(a, keysA, VIP_A);
    await first.up();
    const pid = first.daemonPid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => linkExists(a)).toBe(false);
    expect(await socketExists(a)).toBe(true); // what a crash leaves behind
    const second = driver(a, keysA, VIP_A);
    const cleaned = await second.cleanupStale();
    expect(cleaned).toBe(true);
    const upA = await second.up();
    const wgB = driver(b, keysB, VIP_B);
    const upB = await wgB.up();
    await second.setPeer({
      publicKey: keysB.publicKey,
      virtualIp: VIP_B,
      endpoint: { host: b.publicIp, port: upB.listenPort },
      persistentKeepaliveSeconds: 25,
    });
    await wgB.setPeer({
      publicKey: keysA.publicKey,
      virtualIp: VIP_A,
      endpoint: { host: a.publicIp, port: upA.listenPort },
      persistentKeepaliveSeconds: 25,
    });
    expect((await ping(a.ns, VIP_B, 2, 0.2)).rttsMs).toHaveLength(2);
  });

  it('removes a live interface left by a crashed core before bringing up its own', async () => {
    const orphan = driver(a, keysA, VIP_A);
    await orphan.up();
    const orphanPid = orphan.daemonPid!;
    // A new core (same name, no memory of the old one) starts while the old wireguard-go lives.
    const fresh = driver(a, keysA, VIP_A, { listenPort: 0 });
    const up = await fresh.up();
    expect(up.implementation).toBe('userspace');
    await expect
      .poll(() =>
        (() => {
          try {
            process.kill(orphanPid, 0);
            return true;
          } catch {
            return false;
          }
        })(),
      )
      .toBe(false);
    expect(fresh.daemonPid).not.toBe(orphanPid);
    expect(await linkExists(a)).toBe(true);
  });

  it('says there is no WireGuard when neither the kernel nor wireguard-go provides it', async () => {
    const wg = driver(a, keysA, VIP_A, { wireguardGoPath: '/nonexistent/wireguard-go' });
    const error = await wg.up().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireGuardError);
    expect((error as WireGuardError).kind).toBe('not-installed');
    expect((error as WireGuardError).message).toMatch(/no WireGuard on this machine.*wireguard-go/);
    expect(await linkExists(a)).toBe(false);
  });

  it('says privilege is missing when run without CAP_NET_ADMIN', async () => {
    const wg = driver(a, keysA, VIP_A, {
      commandPrefix: [
        'ip',
        'netns',
        'exec',
        a.ns,
        'setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
      ],
      implementation: 'userspace',
    });
    const error = await wg.up().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireGuardError);
    expect((error as WireGuardError).kind).toBe('permission-denied');
    expect((error as WireGuardError).message).toMatch(/not enough privilege/);
    expect(await linkExists(a)).toBe(false);
  });
});
