import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipBatch, runIn } from './exec.js';

/**
 * Plain wireguard-go configured by hand with `wg` and `ip` — deliberately not the LANrage driver:
 * it is the baseline LANrage is measured against, and the proof that the lab routes WireGuard
 * independently of any LANrage code.
 */
// wireguard-go makes its device and socket in ~100 ms; 5 s means it is not coming.
const START_TIMEOUT_MS = 5_000;
const SOCKET_DIR = '/var/run/wireguard';

export interface RawWireGuard {
  ifname: string;
  listenPort: number;
  /** wireguard-go's pid (`ip netns exec` execs it in place), for CPU and memory figures. */
  pid: number;
  addPeer(
    publicKey: string,
    allowedIp: string,
    endpoint: string | null,
    keepaliveSeconds?: number,
  ): Promise<void>;
  dump(): Promise<string>;
  stop(): Promise<void>;
}

export interface RawWireGuardOptions {
  ns: string;
  ifname: string;
  privateKey: string;
  /** e.g. "10.77.0.1/24" */
  address: string;
  listenPort: number;
}

export async function startRawWireGuard(options: RawWireGuardOptions): Promise<RawWireGuard> {
  const { ns, ifname } = options;
  const child = spawn('ip', ['netns', 'exec', ns, 'wireguard-go', '-f', ifname], {
    stdio: 'ignore',
    env: { ...process.env, WG_PROCESS_FOREGROUND: '1' },
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const socket = join(SOCKET_DIR, `${ifname}.sock`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (
    !(await access(socket).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`wireguard-go did not start ${ifname} in ${ns}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const dir = await mkdtemp(join(tmpdir(), 'lab-wg-'));
  try {
    await writeFile(join(dir, 'key'), options.privateKey, { mode: 0o600 });
    await runIn(ns, 'wg', [
      'set',
      ifname,
      'private-key',
      join(dir, 'key'),
      'listen-port',
      String(options.listenPort),
    ]);
    await ipBatch(ns, [`address add ${options.address} dev ${ifname}`, `link set ${ifname} up`]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    ifname,
    listenPort: options.listenPort,
    pid: child.pid!,
    async addPeer(publicKey, allowedIp, endpoint, keepaliveSeconds = 25) {
      const args = [
        'set',
        ifname,
        'peer',
        publicKey,
        'allowed-ips',
        `${allowedIp}/32`,
        'persistent-keepalive',
        String(keepaliveSeconds),
      ];
      if (endpoint !== null) args.push('endpoint', endpoint);
      await runIn(ns, 'wg', args);
    },
    async dump() {
      return (await runIn(ns, 'wg', ['show', ifname, 'dump'])).stdout;
    },
    stop,
  };
}
