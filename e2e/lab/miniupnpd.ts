import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';

/**
 * A lab router that offers port mapping: Debian's miniupnpd-nftables run by the lab itself in the
 * router's namespace (never as a system service, never with /etc/miniupnpd.conf), with its own
 * config file and nftables table, speaking NAT-PMP, PCP and UPnP IGD on the router's LAN side.
 *
 * Its WAN address: miniupnpd refuses to map anything while the WAN address is private or reserved
 * ("Port forwarding is impossible"), and every address of the lab internet (198.18.0.0/15,
 * RFC 2544 benchmarking) is reserved. So the router also holds MAPPED_WAN_PREFIX.N on its WAN,
 * given to miniupnpd as ext_ip, and the lab internet routes it to the router. 100.128.0.0/24 lies
 * just outside the shared address space 100.64.0.0/10 that miniupnpd also refuses; like every lab
 * address it exists only inside the lab's namespaces (the internet namespace has no way out).
 */
export const MAPPED_WAN_PREFIX = '100.128.0';
/** nftables table of miniupnpd's own chains (inet family, its 2.3 default layout). */
export const MINIUPNPD_TABLE = 'lr_upnp';
/** miniupnpd says this once its NAT-PMP/PCP socket is open; UPnP is up before it. */
const READY_LINE = 'Listening for NAT-PMP/PCP traffic';
/** It is ready in tens of ms; 5 s allows for a loaded machine. */
const READY_TIMEOUT_MS = 5_000;

export interface MiniupnpdSpec {
  routerNs: string;
  wanIf: string;
  lanIf: string;
  /** The non-reserved WAN address miniupnpd reports and maps on. */
  externalIp: string;
  /** Where its config, pid file and log go. */
  dir: string;
}

export function miniupnpdConfig(spec: MiniupnpdSpec): string {
  return [
    `ext_ifname=${spec.wanIf}`,
    `ext_ip=${spec.externalIp}`,
    `listening_ip=${spec.lanIf}`,
    'http_port=0',
    'enable_natpmp=yes',
    'enable_upnp=yes',
    // Clients may map ports to their own address only.
    'secure_mode=yes',
    'uuid=9a3e7b1c-6f1d-4c5e-9b53-0a1b2c3d4e5f',
    `upnp_table_name=${MINIUPNPD_TABLE}`,
    `upnp_nat_table_name=${MINIUPNPD_TABLE}`,
    'upnp_forward_chain=miniupnpd',
    'upnp_nat_chain=prerouting_miniupnpd',
    'upnp_nat_postrouting_chain=postrouting_miniupnpd',
    'allow 1024-65535 192.168.0.0/16 1024-65535',
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n');
}

/**
 * The chains miniupnpd fills, hooked in as its nft_init.sh would, but accepting by default: the
 * lab's own NAT table (nat-router.ts) is the router's firewall.
 */
export function miniupnpdTables(): string {
  return [
    `table inet ${MINIUPNPD_TABLE} {`,
    '  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }',
    '  chain miniupnpd { }',
    '  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }',
    '  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }',
    '  chain prerouting_miniupnpd { }',
    '  chain postrouting_miniupnpd { }',
    '}',
    '',
  ].join('\n');
}

export interface RunningMiniupnpd {
  child: ChildProcess;
  logPath: string;
  stop(): Promise<void>;
}

export async function startMiniupnpd(spec: MiniupnpdSpec): Promise<RunningMiniupnpd> {
  await run('ip', ['netns', 'exec', spec.routerNs, 'nft', '-f', '-'], { input: miniupnpdTables() });
  const configPath = join(spec.dir, `miniupnpd-${spec.routerNs}.conf`);
  const logPath = join(spec.dir, `miniupnpd-${spec.routerNs}.log`);
  writeFileSync(configPath, miniupnpdConfig(spec));
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      spec.routerNs,
      'miniupnpd',
      '-f',
      configPath,
      '-d', // in the foreground, logging to stderr: ours to stop, no daemon left behind
      '-P',
      join(spec.dir, `miniupnpd-${spec.routerNs}.pid`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log = createWriteStream(logPath);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let seen = '';
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      seen = (seen + chunk.toString('utf8')).slice(-8000);
      if (seen.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };
  if (!(await ready)) {
    await stop();
    throw new Error(`miniupnpd in ${spec.routerNs} did not start: ${seen.slice(-2000)}`);
  }
  return { child, logPath, stop };
}
