import { randomBytes } from 'node:crypto';
import { ipBatch, requireRoot, run, runIn, startProcess, type StartedProcess } from './exec.js';
import { startDelayLink, type DelayLink } from './delay-link.js';
import {
  applyNat,
  ipv6FirewallRuleset,
  NAT_KINDS,
  ROUTER_INPUT_POLICIES,
  type LabNatKind,
  type RouterInputPolicy,
} from './nat-router.js';
import { LAB_PREFIX, LAB_WG_PREFIX, teardownLab } from './teardown.js';
import { labScript } from './lab-scripts.js';

/**
 * Builds a lab scenario from a declarative description:
 *
 *                         ┌──────────── internet (lr-<id>-inet) ─────────────┐
 *   player ── router ─wan─┤ br0 198.18.0.1/24: control .10, STUN .20 + .21    ├─rl0~~delay~~relay r1 198.19.1.2
 *   192.168.N.2  (NAT)    │ routers' WAN 198.18.0.100+i                        ├─rl1~~delay~~relay r2 198.19.2.2
 *   198.18.16+i.2 (open)  └────────────────────────────────────────────────────┘
 *
 * A double-NAT player sits behind a second (inner, port-restricted) router:
 *   player 172.16.N.2 ── inner router (i-<name>) 192.168.N.2 ── router ── internet
 *
 * Players with `ipv6` also get a global IPv6 address (2001:db8::/32, the documentation prefix,
 * inside these namespaces only): 2001:db8:N::2/64 behind their router, whose WAN is 2001:db8::W
 * (W = 100 + index in hex, as its IPv4 WAN 198.18.0.(100 + index); ::1 is the internet's own)
 * on the internet's 2001:db8::/64 (the internet is 2001:db8::1). Their router keeps no NAT for
 * IPv6, only a stateful firewall: inbound is forwarded only for flows the inside started.
 *
 * Routers hold their WAN address as a /32 and reach everything through the internet namespace
 * (198.18.0.1), which routes between them: one routing hop between any two routers, as the real
 * internet has many. That hop is what lets a low-TTL packet leave its own NAT and die before the
 * far one (see src-main/core/paths/punch-schedule.ts).
 *
 * Every namespace is `lr-<id>-<role>` so teardown (and a run after a crash) finds all of it.
 * Addresses are from 198.18.0.0/15 (benchmarking range) and 192.168.0.0/16, inside namespaces
 * only: the lab has no link to the machine's own network, so nothing can leave it.
 */
export const INTERNET_GATEWAY = '198.18.0.1';
export const CONTROL_IP = '198.18.0.10';
export const STUN_IPS = ['198.18.0.20', '198.18.0.21'] as const;
export const STUN_PORTS = [3478, 3479] as const;
const INTERNET_PREFIX = 24;
// Ten routers' WAN addresses start here, clear of the service addresses above.
const ROUTER_WAN_BASE = 100;
// Open players get a public /24 each from here on, routed by the internet namespace.
const OPEN_LAN_BASE = 16;
const NAME = /^[a-z0-9]{1,8}$/;
// IPv6: the internet's /64 is 2001:db8::/64, player N's LAN is 2001:db8:N::/64.
const IPV6_PREFIX = '2001:db8';
const IPV6_INTERNET_GATEWAY = `${IPV6_PREFIX}::1`;
// The LAN behind a double-NAT player's inner router: 172.16.N.0/24.
const INNER_LAN_PREFIX = '172.16';
const TUN_QUEUE_PACKETS = 5000;
const MAX_PLAYERS = 100;
const MAX_RELAYS = 50;

export interface PlayerSpec {
  name: string;
  nat: LabNatKind;
  /** What the router does with unsolicited WAN input (default firewalled). */
  router?: RouterInputPolicy;
  /** Behind a second, inner port-restricted router with the same input policy. */
  doubleNat?: boolean;
  /** Also a global IPv6 address behind a stateful IPv6 firewall on the router. */
  ipv6?: boolean;
}

export interface ScenarioSpec {
  players: PlayerSpec[];
  relays?: { name: string; delayMs: number }[];
  /** Start the STUN-like responder on STUN_IPS × STUN_PORTS (default true). */
  stun?: boolean;
}

export interface PlayerLayout {
  name: string;
  nat: LabNatKind;
  router: RouterInputPolicy;
  ns: string;
  routerNs: string;
  /** The inner router of a double-NAT player, else null. */
  innerRouterNs: string | null;
  /** The player's own address. */
  ip: string;
  /** What the internet sees: the router's WAN address, or the player's own for open. */
  publicIp: string;
  /** The player's global IPv6 address, when it has one. */
  ipv6: string | null;
  /** A WireGuard interface name unique on this machine (sockets are global). */
  wgName: string;
}

export interface RelayLayout {
  name: string;
  ns: string;
  ip: string;
  delayMs: number;
}

export interface LabLayout {
  id: string;
  prefix: string;
  internetNs: string;
  control: { ip: string };
  stun: { ips: readonly string[]; ports: readonly number[] };
  players: PlayerLayout[];
  relays: RelayLayout[];
}

export function checkScenario(spec: ScenarioSpec): void {
  const names = [...spec.players.map((p) => p.name), ...(spec.relays ?? []).map((r) => r.name)];
  const bad = names.find((name) => !NAME.test(name));
  if (bad !== undefined) throw new Error(`lab name "${bad}" must be 1-8 characters of a-z 0-9`);
  if (new Set(names).size !== names.length)
    throw new Error('lab player and relay names must be unique');
  if (spec.players.length > MAX_PLAYERS)
    throw new Error(`a lab holds at most ${MAX_PLAYERS} players`);
  if ((spec.relays ?? []).length > MAX_RELAYS)
    throw new Error(`a lab holds at most ${MAX_RELAYS} relays`);
  for (const player of spec.players) {
    if (!(NAT_KINDS as readonly string[]).includes(player.nat))
      throw new Error(`player ${player.name}: unknown NAT kind "${player.nat}"`);
    if (player.router && !(ROUTER_INPUT_POLICIES as readonly string[]).includes(player.router))
      throw new Error(`player ${player.name}: unknown router input policy "${player.router}"`);
    if (player.doubleNat && player.nat === 'open')
      throw new Error(`player ${player.name}: an open player cannot be behind a double NAT`);
    if (player.doubleNat && player.ipv6)
      throw new Error(`player ${player.name}: IPv6 is offered to single-router players only`);
  }
}

export function planLayout(spec: ScenarioSpec, id: string): LabLayout {
  checkScenario(spec);
  const prefix = `${LAB_PREFIX}${id}-`;
  return {
    id,
    prefix,
    internetNs: `${prefix}inet`,
    control: { ip: CONTROL_IP },
    stun: { ips: STUN_IPS, ports: STUN_PORTS },
    players: spec.players.map((p, i) => ({
      name: p.name,
      nat: p.nat,
      router: p.router ?? 'firewalled',
      ns: `${prefix}p-${p.name}`,
      routerNs: `${prefix}r-${p.name}`,
      innerRouterNs: p.doubleNat ? `${prefix}i-${p.name}` : null,
      ip:
        p.nat === 'open'
          ? `198.18.${OPEN_LAN_BASE + i}.2`
          : p.doubleNat
            ? `${INNER_LAN_PREFIX}.${i + 1}.2`
            : `192.168.${i + 1}.2`,
      publicIp:
        p.nat === 'open' ? `198.18.${OPEN_LAN_BASE + i}.2` : `198.18.0.${ROUTER_WAN_BASE + i}`,
      wgName: `${LAB_WG_PREFIX}${id}${i}`,
      ipv6: p.ipv6 ? `${IPV6_PREFIX}:${(i + 1).toString(16)}::2` : null,
    })),
    relays: (spec.relays ?? []).map((r, j) => ({
      name: r.name,
      ns: `${prefix}x-${r.name}`,
      ip: `198.19.${j + 1}.2`,
      delayMs: r.delayMs,
    })),
  };
}

async function sysctlForward(ns: string): Promise<void> {
  await runIn(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
}

/** A veth pair created straight inside its two namespaces: no name lands in the host namespace. */
async function vethBetween(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
  await run('ip', [
    'link',
    'add',
    ifA,
    'netns',
    nsA,
    'type',
    'veth',
    'peer',
    'name',
    ifB,
    'netns',
    nsB,
  ]);
}

async function buildPlayer(layout: LabLayout, player: PlayerLayout, index: number): Promise<void> {
  const inet = layout.internetNs;
  const wanIp = `198.18.0.${ROUTER_WAN_BASE + index}`;
  const lanNet = player.nat === 'open' ? `198.18.${OPEN_LAN_BASE + index}` : `192.168.${index + 1}`;
  const inetPort = `r${index}`;
  await vethBetween(player.routerNs, 'wan', inet, inetPort);
  // The router's LAN side leads to the player, or to the inner router of a double NAT.
  const below = player.innerRouterNs ?? player.ns;
  await vethBetween(player.routerNs, 'lan', below, player.innerRouterNs ? 'wan' : 'eth0');
  await ipBatch(player.routerNs, [
    'link set lo up',
    // A /32 and an on-link gateway: even a router on the same bridge is reached through the
    // internet namespace, one routing hop (see the drawing above).
    `address add ${wanIp}/32 dev wan`,
    'link set wan up',
    `route add ${INTERNET_GATEWAY} dev wan`,
    `address add ${lanNet}.1/24 dev lan`,
    'link set lan up',
    `route add default via ${INTERNET_GATEWAY}`,
  ]);
  const insideHost = player.innerRouterNs ? `${lanNet}.2` : player.ip;
  if (player.innerRouterNs) {
    const innerNet = `${INNER_LAN_PREFIX}.${index + 1}`;
    await vethBetween(player.innerRouterNs, 'lan', player.ns, 'eth0');
    await ipBatch(player.innerRouterNs, [
      'link set lo up',
      `address add ${insideHost}/24 dev wan`,
      'link set wan up',
      `address add ${innerNet}.1/24 dev lan`,
      'link set lan up',
      `route add default via ${lanNet}.1`,
    ]);
    await sysctlForward(player.innerRouterNs);
    await applyNat(
      player.innerRouterNs,
      'port_restricted',
      { wanIf: 'wan', lanIf: 'lan', publicIp: insideHost, insideHost: player.ip },
      player.router,
    );
  }
  const gateway = player.innerRouterNs ? `${INNER_LAN_PREFIX}.${index + 1}.1` : `${lanNet}.1`;
  await ipBatch(player.ns, [
    'link set lo up',
    `address add ${player.ip}/24 dev eth0`,
    'link set eth0 up',
    `route add default via ${gateway}`,
  ]);
  const inetLines = [`link set ${inetPort} master br0`, `link set ${inetPort} up`];
  if (player.nat === 'open') inetLines.push(`route add ${lanNet}.0/24 via ${wanIp}`);
  await ipBatch(inet, inetLines);
  await sysctlForward(player.routerNs);
  await applyNat(
    player.routerNs,
    player.nat,
    { wanIf: 'wan', lanIf: 'lan', publicIp: wanIp, insideHost },
    player.router,
  );
  if (player.ipv6) await buildIpv6(layout, player, index);
}

/**
 * The player's global IPv6 address and its router's stateful firewall (no NAT: IPv6 needs none).
 * `nodad`: duplicate address detection would hold each address back for a second or more.
 */
async function buildIpv6(layout: LabLayout, player: PlayerLayout, index: number): Promise<void> {
  const group = (index + 1).toString(16);
  const wan6 = `${IPV6_PREFIX}::${(ROUTER_WAN_BASE + index).toString(16)}`;
  const lan6 = `${IPV6_PREFIX}:${group}::`;
  await runIn(player.routerNs, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
  await ipBatch(player.routerNs, [
    `address add ${wan6}/64 dev wan nodad`,
    `address add ${lan6}1/64 dev lan nodad`,
    `route add default via ${IPV6_INTERNET_GATEWAY}`,
  ]);
  await ipBatch(player.ns, [
    `address add ${player.ipv6}/64 dev eth0 nodad`,
    `route add default via ${lan6}1`,
  ]);
  await ipBatch(layout.internetNs, [`route add ${lan6}/64 via ${wan6}`]);
  await run('ip', ['netns', 'exec', player.routerNs, 'nft', '-f', '-'], {
    input: `${ipv6FirewallRuleset('wan')}\n`,
  });
}

async function buildRelay(
  layout: LabLayout,
  relay: RelayLayout,
  index: number,
): Promise<DelayLink> {
  const near = `198.19.${index + 1}.1`;
  const inetIf = `rl${index}`;
  const link = await startDelayLink({
    nsA: layout.internetNs,
    ifA: inetIf,
    nsB: relay.ns,
    ifB: 'up0',
    delayAtoBMs: relay.delayMs,
    delayBtoAMs: relay.delayMs,
  });
  // TUN queues default to 500 packets; a deeper one absorbs bursts (iperf3 paces per ms) while
  // the helper is briefly descheduled, instead of dropping them before the delay even starts.
  await ipBatch(layout.internetNs, [
    `address add ${near} peer ${relay.ip}/32 dev ${inetIf}`,
    `link set ${inetIf} txqueuelen ${TUN_QUEUE_PACKETS} up`,
  ]);
  await ipBatch(relay.ns, [
    'link set lo up',
    `address add ${relay.ip} peer ${near}/32 dev up0`,
    `link set up0 txqueuelen ${TUN_QUEUE_PACKETS} up`,
    'route add default dev up0',
  ]);
  return link;
}

export class Lab {
  private constructor(
    readonly layout: LabLayout,
    private readonly links: DelayLink[],
    private readonly responder: StartedProcess | null,
  ) {}

  static newId(): string {
    return randomBytes(2).toString('hex');
  }

  static async start(spec: ScenarioSpec, options: { id?: string } = {}): Promise<Lab> {
    requireRoot();
    const layout = planLayout(spec, options.id ?? Lab.newId());
    const links: DelayLink[] = [];
    let responder: StartedProcess | null = null;
    try {
      const all = [
        layout.internetNs,
        ...layout.players.flatMap((p) => [
          p.routerNs,
          p.ns,
          ...(p.innerRouterNs ? [p.innerRouterNs] : []),
        ]),
        ...layout.relays.map((r) => r.ns),
      ];
      await run('ip', ['-batch', '-'], {
        input: `${all.map((ns) => `netns add ${ns}`).join('\n')}\n`,
      });
      await ipBatch(layout.internetNs, [
        'link set lo up',
        'link add br0 type bridge',
        ...[INTERNET_GATEWAY, CONTROL_IP, ...STUN_IPS].map(
          (ip) => `address add ${ip}/${INTERNET_PREFIX} dev br0`,
        ),
        'link set br0 up',
      ]);
      await sysctlForward(layout.internetNs);
      if (layout.players.some((p) => p.ipv6 !== null)) {
        await runIn(layout.internetNs, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
        await ipBatch(layout.internetNs, [`address add ${IPV6_INTERNET_GATEWAY}/64 dev br0 nodad`]);
      }
      // The internet routes between routers on its one bridge: it must not tell them to talk
      // directly (an ICMP redirect would remove the hop the /32 WAN addresses create).
      await runIn(layout.internetNs, 'sysctl', [
        '-qw',
        'net.ipv4.conf.all.send_redirects=0',
        'net.ipv4.conf.default.send_redirects=0',
        'net.ipv4.conf.br0.send_redirects=0',
      ]);
      await Promise.all(layout.players.map((player, i) => buildPlayer(layout, player, i)));
      for (const [j, relay] of layout.relays.entries())
        links.push(await buildRelay(layout, relay, j));
      if (spec.stun !== false) {
        responder = await startProcess('ip', [
          'netns',
          'exec',
          layout.internetNs,
          process.execPath,
          await labScript('udp-responder.ts'),
          STUN_IPS[0],
          STUN_IPS[1],
          String(STUN_PORTS[0]),
          String(STUN_PORTS[1]),
        ]);
      }
      return new Lab(layout, links, responder);
    } catch (error) {
      await responder?.stop();
      await Promise.all(links.map((link) => link.stop()));
      await teardownLab(layout.prefix, `${LAB_WG_PREFIX}${layout.id}`);
      throw error;
    }
  }

  player(name: string): PlayerLayout {
    const player = this.layout.players.find((p) => p.name === name);
    if (!player) throw new Error(`no player "${name}" in this lab`);
    return player;
  }

  /** The delay link in front of a relay (its counters are the link's own view of traffic). */
  relayLink(name: string): DelayLink {
    const index = this.layout.relays.findIndex((r) => r.name === name);
    const link = this.links[index];
    if (!link) throw new Error(`no relay "${name}" in this lab`);
    return link;
  }

  relay(name: string): RelayLayout {
    const relay = this.layout.relays.find((r) => r.name === name);
    if (!relay) throw new Error(`no relay "${name}" in this lab`);
    return relay;
  }

  async stop(): Promise<void> {
    await this.responder?.stop();
    await Promise.all(this.links.map((link) => link.stop()));
    await teardownLab(this.layout.prefix, `${LAB_WG_PREFIX}${this.layout.id}`);
  }
}
