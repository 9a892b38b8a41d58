import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './exec.js';
import { labScript } from './lab-scripts.js';
import { MINIUPNPD_TABLE } from './miniupnpd.js';
import { Lab } from './topology.js';

/**
 * LANrage's own port-mapping clients (src-main/core/portmap/) against a real router: Debian's
 * miniupnpd-nftables in the lab router's namespace, each protocol on its own. Each maps a UDP
 * port of the player, a datagram from the lab internet reaches it through the mapping, and the
 * deletion removes miniupnpd's nftables rule. Expected values are the lab's addresses, typed out.
 */
const PLAYER = 'mapper';
/** Router index 0: the player's gateway and the router's mapping address (topology.ts). */
const GATEWAY = '192.168.1.1';
const MAPPED_WAN_IP = '100.128.0.1';
const INTERNET_GATEWAY = '198.18.0.1';
/** How long the probe may take to report each step; miniupnpd answers in milliseconds. */
const STEP_MS = 5_000;

let lab: Lab;

beforeAll(async () => {
  lab = await Lab.start({ players: [{ name: PLAYER, nat: 'symmetric', portMapping: true }] });
}, 60_000);

afterAll(async () => {
  await lab?.stop();
}, 30_000);

/** A port-mapping-probe.ts process and the JSON lines it printed. */
async function probe(protocol: string, port: number) {
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      lab.player(PLAYER).ns,
      process.execPath,
      await labScript('port-mapping-probe.ts'),
      protocol,
      GATEWAY,
      String(port),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const seen: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (key: string): Promise<unknown> => {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const hit = seen.find((l) => key in l || 'error' in l);
      if (hit) {
        if ('error' in hit && !(key in hit)) throw new Error(String(hit.error));
        seen.splice(seen.indexOf(hit), 1);
        return hit[key];
      }
      if (Date.now() > deadline) throw new Error(`probe printed no ${key} within ${STEP_MS} ms`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { child, next, send: (line: string) => child.stdin!.write(`${line}\n`) };
}

/** One datagram from the lab internet to `host:port`. */
async function sendFromInternet(host: string, port: number): Promise<void> {
  const script = `const s=require('dgram').createSocket('udp4');s.send('hello',${port},'${host}',()=>s.close());`;
  await run('ip', ['netns', 'exec', lab.layout.internetNs, process.execPath, '-e', script]);
}

async function miniupnpdRules(): Promise<string> {
  const { stdout } = await run('ip', [
    'netns',
    'exec',
    lab.player(PLAYER).routerNs,
    'nft',
    'list',
    'table',
    'inet',
    MINIUPNPD_TABLE,
  ]);
  return stdout;
}

describe.each([
  ['pcp', 41_001],
  ['nat-pmp', 41_002],
  ['upnp', 41_003],
])('our %s client against miniupnpd', (protocol, port) => {
  it('maps the port, carries a datagram from the internet through it, and deletes it', async () => {
    const p = await probe(protocol, port);
    try {
      const mapped = (await p.next('mapped')) as Record<string, number | string | boolean>;
      expect(mapped).toMatchObject({
        externalIp: MAPPED_WAN_IP,
        externalPort: port,
        lifetimeS: 120,
        routerRestarted: false,
      });
      // PCP and NAT-PMP: one or two datagrams; UPnP: SSDP, the description, two SOAP calls.
      expect(mapped.afterMs).toBeLessThan(protocol === 'upnp' ? 1_000 : 300);
      await p.next('ready');
      expect(await miniupnpdRules()).toContain(`dport ${port}`);
      await sendFromInternet(MAPPED_WAN_IP, port);
      expect(await p.next('received')).toMatch(new RegExp(`^${INTERNET_GATEWAY}:\\d+$`));
      p.send('unmap');
      expect(await p.next('unmapped')).toBe(true);
      expect(await miniupnpdRules()).not.toContain(`dport ${port}`);
    } finally {
      p.child.kill();
    }
  }, 30_000);
});
