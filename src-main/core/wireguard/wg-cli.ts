import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEndpoint, isIpv4, type Endpoint } from '../../../src-shared/domain/endpoint.js';
import { isWireGuardKey } from '../../../src-common/crypto/x25519.js';
import { WireGuardError } from './wireguard-error.js';
import { parseWgDump, type WgInterfaceDump } from './wg-dump.js';
import type { RunCommand } from './command-runner.js';

/**
 * Typed wrapper over `wg set` and `wg show <if> dump`. Every argument is checked before a command
 * runs, so bad input is a clear error and changes nothing on the interface.
 */
export interface WgPeerConfig {
  publicKey: string;
  /** The peer's virtual IP; routed to it as a /32. */
  virtualIp: string;
  /** Where its packets are sent; null leaves WireGuard to learn it from the first handshake. */
  endpoint: Endpoint | null;
  /** Seconds between keepalives; 0 turns them off. */
  persistentKeepaliveSeconds: number;
}

// WireGuard's own limit: the keepalive interval is a u16 of seconds.
const MAX_KEEPALIVE_SECONDS = 65535;
// Linux IFNAMSIZ is 16 including the terminating NUL.
const MAX_INTERFACE_NAME = 15;

export function checkInterfaceName(name: string): void {
  if (
    !/^[A-Za-z0-9_.-]+$/.test(name) ||
    name.length > MAX_INTERFACE_NAME ||
    name === '.' ||
    name === '..'
  ) {
    throw new WireGuardError(
      'invalid-argument',
      `interface name "${name}" must be 1-${MAX_INTERFACE_NAME} characters of A-Z a-z 0-9 _ . -`,
    );
  }
}

export function checkPeerConfig(peer: WgPeerConfig): void {
  if (!isWireGuardKey(peer.publicKey)) {
    throw new WireGuardError(
      'invalid-argument',
      'peer public key is not a 44-character WireGuard key',
    );
  }
  if (!isIpv4(peer.virtualIp)) {
    throw new WireGuardError(
      'invalid-argument',
      `peer virtual IP "${peer.virtualIp}" is not an IPv4 address`,
    );
  }
  if (peer.endpoint !== null) {
    const { host, port } = peer.endpoint;
    if (!isIpv4(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new WireGuardError(
        'invalid-argument',
        `peer endpoint "${host}:${port}" is not an IPv4 ip:port`,
      );
    }
  }
  const keepalive = peer.persistentKeepaliveSeconds;
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > MAX_KEEPALIVE_SECONDS) {
    throw new WireGuardError(
      'invalid-argument',
      `persistent keepalive ${keepalive} is not 0-${MAX_KEEPALIVE_SECONDS} seconds`,
    );
  }
}

/** `wg set` arguments for one peer (exported for tests: the exact argv is the contract). */
export function peerSetArgs(ifname: string, peer: WgPeerConfig): string[] {
  const args = ['set', ifname, 'peer', peer.publicKey, 'allowed-ips', `${peer.virtualIp}/32`];
  if (peer.endpoint !== null) args.push('endpoint', formatEndpoint(peer.endpoint));
  args.push(
    'persistent-keepalive',
    peer.persistentKeepaliveSeconds === 0 ? 'off' : String(peer.persistentKeepaliveSeconds),
  );
  return args;
}

export class WgCli {
  constructor(
    private readonly run: RunCommand,
    private readonly wgPath = 'wg',
  ) {}

  /**
   * `wg set` reads the private key only from a file, and Node's stdio are socketpairs that
   * /dev/stdin cannot be opened on; so the key goes through a 0600 file in a fresh 0700 temp dir,
   * removed right after. It never appears in argv (visible to every user in `ps`).
   */
  async setPrivateKeyAndPort(
    ifname: string,
    privateKey: string,
    listenPort: number,
  ): Promise<void> {
    checkInterfaceName(ifname);
    if (!isWireGuardKey(privateKey))
      throw new WireGuardError('invalid-argument', 'private key is not a WireGuard key');
    if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
      throw new WireGuardError(
        'invalid-argument',
        `listen port ${listenPort} is not 0-65535 (0 = any)`,
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'lanrage-wg-'));
    try {
      const keyFile = join(dir, 'private.key');
      await writeFile(keyFile, `${privateKey}\n`, { mode: 0o600 });
      await this.run(this.wgPath, [
        'set',
        ifname,
        'listen-port',
        String(listenPort),
        'private-key',
        keyFile,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async setPeer(ifname: string, peer: WgPeerConfig): Promise<void> {
    checkInterfaceName(ifname);
    checkPeerConfig(peer);
    await this.run(this.wgPath, peerSetArgs(ifname, peer));
  }

  async removePeer(ifname: string, publicKey: string): Promise<void> {
    checkInterfaceName(ifname);
    if (!isWireGuardKey(publicKey))
      throw new WireGuardError('invalid-argument', 'peer public key is not a WireGuard key');
    await this.run(this.wgPath, ['set', ifname, 'peer', publicKey, 'remove']);
  }

  async show(ifname: string): Promise<WgInterfaceDump> {
    checkInterfaceName(ifname);
    const { stdout } = await this.run(this.wgPath, ['show', ifname, 'dump']);
    const dump = parseWgDump(stdout);
    if (!dump.ok)
      throw new WireGuardError(
        'command-failed',
        `could not read "wg show ${ifname} dump": ${dump.error}`,
      );
    return dump.value;
  }
}
