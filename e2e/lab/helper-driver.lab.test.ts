import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import { HelperDataPlane } from '../../src-main/core/helper/helper-data-plane.js';
import { HelperError } from '../../src-main/core/helper/helper-error.js';
import { resolveHelperPath } from '../../src-main/core/helper/helper-process.js';
import { run, runIn } from './exec.js';
import { ensureHelper } from './party-lab.js';
import { ping } from './ping.js';
import { Lab, type PlayerLayout } from './topology.js';

/**
 * The core's driver of the WireGuard helper (src-main/core/helper) with the real `lanrage-helper`
 * between two players in namespaces: tunnel traffic over a direct path, clean teardown on close
 * and when its parent goes away, a crash leaving nothing behind, bad requests changing nothing,
 * no privilege refused clearly. The helper enters a player's namespace through the same
 * "elevation prefix" the unprivileged core uses for sudo/pkexec.
 */
let lab: Lab;
let a: PlayerLayout;
let b: PlayerLayout;
const keysA: KeyPair = generateKeyPair();
const keysB: KeyPair = generateKeyPair();
const VIP_A = '10.66.0.1';
const VIP_B = '10.66.0.2';
const KEEPALIVE_S = 25;
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };
const opened: HelperDataPlane[] = [];

async function helperIn(
  player: PlayerLayout,
  keys: KeyPair,
  extraElevation: string[] = [],
): Promise<HelperDataPlane> {
  const plane = await HelperDataPlane.start({
    binaryPath: resolveHelperPath(),
    elevation: ['ip', 'netns', 'exec', player.ns, ...extraElevation],
    interfaceName: player.wgName,
    privateKey: keys.privateKey,
    listenPort: 0,
    log: quiet,
  });
  opened.push(plane);
  return plane;
}

async function linkExists(player: PlayerLayout): Promise<boolean> {
  return run('ip', ['-n', player.ns, 'link', 'show', 'dev', player.wgName]).then(
    () => true,
    () => false,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function bringUpPair(): Promise<[HelperDataPlane, HelperDataPlane]> {
  const [hA, hB] = await Promise.all([helperIn(a, keysA), helperIn(b, keysB)]);
  await Promise.all([hA.up(VIP_A), hB.up(VIP_B)]);
  await hA.addPeer({ publicKey: keysB.publicKey, virtualIp: VIP_B, keepaliveSeconds: KEEPALIVE_S });
  await hB.addPeer({ publicKey: keysA.publicKey, virtualIp: VIP_A, keepaliveSeconds: KEEPALIVE_S });
  hA.setPath(keysB.publicKey, { kind: 'direct', host: b.publicIp, port: hB.localPort });
  hB.setPath(keysA.publicKey, { kind: 'direct', host: a.publicIp, port: hA.localPort });
  // setPath is fire-and-forget; the helper answers in order, so a later answer means it is set
  // (on both sides: B must accept A's address before A's handshake arrives).
  await Promise.all([hA.stats(), hB.stats()]);
  // WireGuard's first initiation left when the peer was added, before any path: the core resends
  // it once a path is proven (PeerLink); so does this test, from one side.
  hA.resendHandshake(keysB.publicKey);
  await hA.stats();
  return [hA, hB];
}

beforeAll(async () => {
  ensureHelper();
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
  await Promise.all(opened.splice(0).map((h) => h.close()));
});

afterAll(async () => {
  await lab?.stop();
});

describe('the WireGuard helper driven by the core, in the lab', () => {
  it('brings up two interfaces that ping each other over a direct path', async () => {
    const [hA, hB] = await bringUpPair();
    const { rttsMs } = await ping(a.ns, VIP_B, 3, 0.2);
    expect(rttsMs.length).toBe(3);
    // The public socket is dual-stack (IPv6 on the same port): `open` said so.
    expect([hA.hasIpv6, hB.hasIpv6]).toEqual([true, true]);
    const stats = await hA.stats();
    expect(stats.peers).toHaveLength(1);
    expect(stats.peers[0]).toMatchObject({
      peer: keysB.publicKey,
      path: { kind: 'direct', host: b.publicIp },
    });
    expect(stats.peers[0]!.lastHandshakeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(stats.peers[0]!.rxBytes).toBeGreaterThan(0);
    // WireGuard's packets stayed in the helper: none came up to the core.
    expect(stats.socket.upToCore).toBe(0);
    const addr = await runIn(a.ns, 'ip', ['-o', '-4', 'address', 'show', 'dev', a.wgName]);
    expect(addr.stdout).toContain(`${VIP_A}/16`);
    expect((await runIn(a.ns, 'ip', ['-o', 'link', 'show', 'dev', a.wgName])).stdout).toContain(
      'mtu 1420',
    );
  });

  it('moves a peer to another path without a new handshake', async () => {
    const [hA, hB] = await bringUpPair();
    expect((await ping(a.ns, VIP_B, 2, 0.2)).rttsMs).toHaveLength(2);
    const before = (await hA.stats()).peers[0]!.lastHandshakeMs;
    // Same address as a LAN path: the path object changes, the WireGuard session must not.
    hA.setPath(keysB.publicKey, { kind: 'none' });
    hA.setPath(keysB.publicKey, { kind: 'direct', host: b.publicIp, port: hB.localPort });
    await hA.stats();
    expect((await ping(a.ns, VIP_B, 3, 0.2)).rttsMs).toHaveLength(3);
    expect((await hA.stats()).peers[0]!.lastHandshakeMs).toBe(before);
  });

  it('leaves no interface or process behind after close', async () => {
    const [hA, hB] = await bringUpPair();
    const pids = [hA.helperPid!, hB.helperPid!];
    await Promise.all([hA.close(), hB.close()]);
    for (const player of [a, b]) expect(await linkExists(player)).toBe(false);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('removes its interface when its parent goes away (stdin closes)', async () => {
    // A parent that opens the helper and then dies with SIGKILL: nothing of ours runs after it.
    const script = [
      "import { HelperDataPlane } from './src-main/core/helper/helper-data-plane.ts';",
      'const p = await HelperDataPlane.start({',
      `  binaryPath: ${JSON.stringify(resolveHelperPath())},`,
      `  elevation: ['ip', 'netns', 'exec', ${JSON.stringify(a.ns)}],`,
      `  interfaceName: ${JSON.stringify(a.wgName)}, privateKey: ${JSON.stringify(keysA.privateKey)},`,
      '  listenPort: 0, log: { info() {}, warn() {}, debug() {} } });',
      'process.stdout.write(`${p.helperPid}\\n`);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const { spawn } = await import('node:child_process');
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const helperPid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))),
    );
    expect(await linkExists(a)).toBe(true);
    parent.kill('SIGKILL');
    await expect.poll(() => linkExists(a), { timeout: 5_000 }).toBe(false);
    await expect.poll(() => alive(helperPid), { timeout: 5_000 }).toBe(false);
  });

  it('leaves no interface after the helper itself is killed, so the next one comes up', async () => {
    const first = await helperIn(a, keysA);
    process.kill(first.helperPid!, 'SIGKILL');
    await expect.poll(() => linkExists(a), { timeout: 5_000 }).toBe(false);
    await bringUpPair();
    expect((await ping(a.ns, VIP_B, 2, 0.2)).rttsMs).toHaveLength(2);
  });

  it('refuses a malformed peer with a clear error and changes nothing', async () => {
    const [hA] = await bringUpPair();
    const before = await hA.stats();
    const error = await hA
      .addPeer({
        publicKey: keysB.publicKey,
        virtualIp: '10.66.0.300',
        keepaliveSeconds: KEEPALIVE_S,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({ failure: 'bad-request', helperCode: 'bad-args' });
    const unknown = await hA.stats().then(() =>
      hA.removePeer(generateKeyPair().publicKey).then(
        () => 'removed',
        (e: HelperError) => e.helperCode,
      ),
    );
    expect(unknown).toBe('removed'); // an unknown peer is already gone: nothing to do
    const after = await hA.stats();
    expect(after.peers.map((p) => [p.peer, p.path])).toEqual(
      before.peers.map((p) => [p.peer, p.path]),
    );
  });

  it('says privilege is missing when the helper runs without CAP_NET_ADMIN', async () => {
    const error = await helperIn(a, keysA, [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--inh-caps=-all',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperError);
    expect(error).toMatchObject({ failure: 'refused', helperCode: 'os', code: 'no-privilege' });
    expect((error as HelperError).message).toMatch(/not permitted|permission/i);
    expect(await linkExists(a)).toBe(false);
  });
});
