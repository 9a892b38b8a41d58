import { access, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isIpv4 } from '../../../src-shared/domain/endpoint.js';
import { isWireGuardKey } from '../../../src-common/crypto/x25519.js';
import { commandRunner, type RunCommand } from './command-runner.js';
import type { Logger } from '../../../src-common/logging/logger.js';
import { WireGuardError } from './wireguard-error.js';
import { WireGuardGoProcess } from './wireguard-go-process.js';
import { checkInterfaceName, WgCli, type WgPeerConfig } from './wg-cli.js';
import type { WgInterfaceDump } from './wg-dump.js';

/**
 * The member's WireGuard interface: kernel WireGuard where the kernel has it, else a
 * `wireguard-go` child we own; configured with `wg` and `ip`. Lifecycle:
 *
 *   down ──up()──▶ up ──down()──▶ down        (up() first removes a stale interface of our name)
 *
 * The driver has no namespace awareness: the lab runs the whole core under `ip netns exec`, and
 * tests may pass `commandPrefix` to run the tools there instead.
 */
export const DEFAULT_INTERFACE_NAME = 'lanrage0';
// WireGuard's own default: 1500 (Ethernet) − 80 (IPv6 40 + UDP 8 + WireGuard header 32), so a
// full tunnel packet still fits one underlay packet on any normal home link.
export const DEFAULT_MTU = 1420;
// Virtual IPs come from 10.66.0.0/16 (see virtual-ip-pool.ts); the interface owns the whole /16
// so that a peer added later is routed without touching the routing table.
export const VIRTUAL_PREFIX_LENGTH = 16;
// IPv4 lets 576, but WireGuard peers may carry IPv6 some day, whose minimum MTU is 1280.
const MIN_MTU = 1280;
const MAX_MTU = 9000;
// A stale wireguard-go exits and removes its socket once its device is deleted; give it this
// long before removing the socket ourselves, so we never unlink a socket it is still serving.
const STALE_SOCKET_WAIT_MS = 1_000;
const POLL_MS = 20;

export type WireGuardImplementation = 'kernel' | 'userspace';

/** What the interface driver logs through: a part of the one Logger interface. */
export type WireGuardLog = Pick<Logger, 'info' | 'warn'>;

export interface WireGuardInterfaceOptions {
  privateKey: string;
  /** This member's virtual IP (10.66.x.y). */
  address: string;
  name?: string;
  /** UDP port WireGuard listens on; 0 lets the OS pick (read it back from `listenPort`). */
  listenPort?: number;
  mtu?: number;
  implementation?: 'auto' | WireGuardImplementation;
  commandPrefix?: readonly string[];
  wgPath?: string;
  ipPath?: string;
  wireguardGoPath?: string;
  /** Where wireguard-go puts its UAPI socket; shared by every network namespace. */
  socketDir?: string;
  log?: WireGuardLog;
  /** Called when wireguard-go dies while the interface is meant to be up. */
  onUnexpectedExit?: (detail: string) => void;
}

export interface WireGuardUp {
  implementation: WireGuardImplementation;
  listenPort: number;
  publicKey: string;
}

const silentLog: WireGuardLog = { info: () => {}, warn: () => {} };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export class WireGuardInterface {
  readonly name: string;
  private readonly run: RunCommand;
  private readonly wg: WgCli;
  private readonly ip: string;
  private readonly log: WireGuardLog;
  private daemon: WireGuardGoProcess | null = null;
  private current: WireGuardUp | null = null;

  constructor(private readonly options: WireGuardInterfaceOptions) {
    this.name = options.name ?? DEFAULT_INTERFACE_NAME;
    this.run = commandRunner(options.commandPrefix ?? []);
    this.wg = new WgCli(this.run, options.wgPath ?? 'wg');
    this.ip = options.ipPath ?? 'ip';
    this.log = options.log ?? silentLog;
  }

  get socketPath(): string {
    return join(this.options.socketDir ?? '/var/run/wireguard', `${this.name}.sock`);
  }

  get isUp(): boolean {
    return this.current !== null;
  }

  /** The running wireguard-go's pid (userspace only): lets tests simulate a crash. */
  get daemonPid(): number | undefined {
    return this.daemon?.pid;
  }

  private validate(): void {
    checkInterfaceName(this.name);
    const { privateKey, address, mtu = DEFAULT_MTU, listenPort = 0 } = this.options;
    if (!isWireGuardKey(privateKey))
      throw new WireGuardError('invalid-argument', 'private key is not a WireGuard key');
    if (!isIpv4(address))
      throw new WireGuardError(
        'invalid-argument',
        `interface address "${address}" is not an IPv4 address`,
      );
    if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > MAX_MTU) {
      throw new WireGuardError('invalid-argument', `MTU ${mtu} is outside ${MIN_MTU}-${MAX_MTU}`);
    }
    if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
      throw new WireGuardError('invalid-argument', `listen port ${listenPort} is not 0-65535`);
    }
  }

  private async linkExists(): Promise<boolean> {
    try {
      await this.run(this.ip, ['link', 'show', 'dev', this.name]);
      return true;
    } catch (error) {
      if (error instanceof WireGuardError && error.kind === 'command-failed') return false;
      throw error;
    }
  }

  /** Removes what a crashed run left: an interface of our name and/or its orphaned socket. */
  async cleanupStale(): Promise<boolean> {
    checkInterfaceName(this.name);
    let cleaned = false;
    if (await this.linkExists()) {
      this.log.warn('removing stale WireGuard interface left by an earlier run', {
        ifname: this.name,
      });
      await this.run(this.ip, ['link', 'del', 'dev', this.name]);
      cleaned = true;
      const deadline = Date.now() + STALE_SOCKET_WAIT_MS;
      while (Date.now() < deadline && (await exists(this.socketPath))) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
    if (await exists(this.socketPath)) {
      this.log.warn('removing stale wireguard-go socket', {
        ifname: this.name,
        socket: this.socketPath,
      });
      await unlink(this.socketPath).catch(() => {});
      cleaned = true;
    }
    return cleaned;
  }

  private async createKernel(): Promise<boolean> {
    try {
      await this.run(this.ip, ['link', 'add', 'dev', this.name, 'type', 'wireguard']);
      return true;
    } catch (error) {
      // "Unknown device type" / "Operation not supported": no WireGuard module in this kernel.
      if (error instanceof WireGuardError && error.kind === 'command-failed') return false;
      throw error;
    }
  }

  private async createUserspace(): Promise<void> {
    this.daemon = await WireGuardGoProcess.start({
      ifname: this.name,
      wireguardGoPath: this.options.wireguardGoPath ?? 'wireguard-go',
      commandPrefix: this.options.commandPrefix ?? [],
      isReady: async () => (await exists(this.socketPath)) && (await this.linkExists()),
      onUnexpectedExit: (code, signal) => {
        const detail = `wireguard-go for ${this.name} exited unexpectedly (code ${code}, signal ${signal})`;
        this.log.warn(detail, { ifname: this.name });
        this.options.onUnexpectedExit?.(detail);
      },
    });
  }

  async up(): Promise<WireGuardUp> {
    if (this.current) return this.current;
    this.validate();
    await this.cleanupStale();
    const wanted = this.options.implementation ?? 'auto';
    let implementation: WireGuardImplementation = 'userspace';
    if (wanted !== 'userspace' && (await this.createKernel())) implementation = 'kernel';
    else if (wanted === 'kernel') {
      throw new WireGuardError(
        'not-installed',
        'this kernel has no WireGuard support ("ip link add … type wireguard" failed)',
      );
    } else {
      try {
        await this.createUserspace();
      } catch (error) {
        if (error instanceof WireGuardError && error.kind === 'not-installed') {
          throw new WireGuardError(
            'not-installed',
            `no WireGuard on this machine: the kernel has no WireGuard module and ${error.message}`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    try {
      const { privateKey, address, listenPort = 0, mtu = DEFAULT_MTU } = this.options;
      await this.wg.setPrivateKeyAndPort(this.name, privateKey, listenPort);
      await this.run(this.ip, [
        'address',
        'add',
        `${address}/${VIRTUAL_PREFIX_LENGTH}`,
        'dev',
        this.name,
      ]);
      await this.run(this.ip, ['link', 'set', 'dev', this.name, 'mtu', String(mtu), 'up']);
      const dump = await this.wg.show(this.name);
      this.current = {
        implementation,
        listenPort: dump.listenPort,
        publicKey: dump.publicKey ?? '',
      };
      this.log.info('WireGuard interface up', {
        ifname: this.name,
        implementation,
        listenPort: dump.listenPort,
        address,
      });
      return this.current;
    } catch (error) {
      await this.down();
      throw error;
    }
  }

  private requireUp(): void {
    if (!this.current)
      throw new WireGuardError('not-up', `WireGuard interface ${this.name} is not up`);
  }

  /** Adds the peer, or updates its endpoint/keepalive when it is already there. */
  async setPeer(peer: WgPeerConfig): Promise<void> {
    this.requireUp();
    await this.wg.setPeer(this.name, peer);
  }

  async removePeer(publicKey: string): Promise<void> {
    this.requireUp();
    await this.wg.removePeer(this.name, publicKey);
  }

  async show(): Promise<WgInterfaceDump> {
    this.requireUp();
    return this.wg.show(this.name);
  }

  /** Removes the interface, stops wireguard-go and deletes its socket. Safe to call twice. */
  async down(): Promise<void> {
    const wasUp = this.current !== null;
    this.current = null;
    this.daemon?.expectExit();
    // Only delete an interface that is ours: if our wireguard-go already died, a link of this name
    // belongs to whoever came up after us (a restarted core), not to this object.
    const owned = this.daemon ? this.daemon.running : wasUp;
    if (owned && (await this.linkExists())) {
      await this.run(this.ip, ['link', 'del', 'dev', this.name]).catch((error: unknown) => {
        // Gone between the check and the delete (wireguard-go exiting on its own): that is fine.
        if (!(error instanceof WireGuardError && /Cannot find device/.test(error.message)))
          throw error;
      });
    }
    await this.daemon?.stop();
    this.daemon = null;
    await unlink(this.socketPath).catch(() => {});
    if (wasUp) this.log.info('WireGuard interface down', { ifname: this.name });
  }
}
