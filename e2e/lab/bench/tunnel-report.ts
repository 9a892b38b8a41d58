import type { RttStats } from './bench-probes.js';
import type { JoinTimeline } from './join-timeline.js';
import type { RecoveryFigure } from './relay-recovery.js';
import type { RelayRttFigure } from './relay-rtt.js';
import type { JoinFigure } from './tunnel-join.js';
import type { PathFigures } from './tunnel-path.js';

/** The table and the BENCH_JSON line for lanrage-tunnel.bench.ts. */
export interface TunnelFigures {
  joinDirect: JoinFigure & { pair: string };
  joinRelayed: JoinFigure & { pair: string };
  path: PathFigures & { pair: string };
  relayRtt: RelayRttFigure;
  recovery: RecoveryFigure & { pair: string; deadPathAfterMs: number; probeIntervalMs: number };
}

type Row = [figure: string, lanrage: string, baseline: string, versus: string, aim: string];

const ms = (n: number): string => `${n.toFixed(n < 10 ? 3 : 0)} ms`;
const diff = (a: number, b: number): string =>
  `${a >= b ? '+' : ''}${(a - b).toFixed(Math.abs(a - b) < 10 ? 3 : 0)} ms`;
const loss = (s: RttStats): string =>
  `${((100 * s.lost) / s.sent).toFixed(1)} % (${s.lost}/${s.sent})`;
const ratio = (a: number, b: number): string => `× ${(a / b).toFixed(2)}`;

function milestones(t: JoinTimeline): string {
  const at = (n: number | null): string => (n === null ? '?' : `${(n / 1000).toFixed(2)} s`);
  return `first log ${at(t.firstLogMs)}, wg up ${at(t.interfaceUpMs)}, path ${at(t.pathMs)}, NAT ${at(t.natMs)}`;
}

function joinRows(label: string, j: JoinFigure & { pair: string }): Row[] {
  return [
    [
      `join → first ping, ${label} (${j.pair}, ${j.strategy})`,
      ms(j.lanrageMs),
      `raw wg iface up ${ms(j.rawIfaceUpMs)}`,
      diff(j.lanrageMs, j.rawIfaceUpMs),
      '≤ 600 ms',
    ],
    ['', '', `raw wg incl. start ${ms(j.rawWithStartMs)}`, diff(j.lanrageMs, j.rawWithStartMs), ''],
    [`  joiner's log: ${milestones(j.timeline)}`, '', '', '', ''],
  ];
}

/** p50 within 0.1 ms of raw wireguard-go (ICMP), p99 within 1.5 × raw's, no loss (issue #7). */
function rttRows(what: string, l: RttStats, u: RttStats, raw: RttStats, p50Aim: string): Row[] {
  return [
    [`${what} p50`, ms(l.p50), `raw wg ${ms(raw.p50)}`, diff(l.p50, raw.p50), p50Aim],
    ['', '', `underlay ${ms(u.p50)}`, diff(l.p50, u.p50), ''],
    [`${what} p99`, ms(l.p99), `raw wg ${ms(raw.p99)}`, ratio(l.p99, raw.p99), '≤ × 1.5 raw wg'],
    ['', '', `underlay ${ms(u.p99)}`, '', ''],
    [`${what} loss`, loss(l), `raw wg ${loss(raw)}`, '', 'none'],
    ['', '', `underlay ${loss(u)}`, '', ''],
  ];
}

/** Where the 10,000/s load lost datagrams, per route, from the kernel's counters of both ends. */
function dropRows(p: TunnelFigures['path']): Row[] {
  const where = (route: keyof typeof p.fastDrops): string =>
    `sender ${p.fastDrops[route].sender}; receiver ${p.fastDrops[route].receiver}`;
  return [
    ['  10000/s drops (kernel counters)', where('lanrage'), `raw wg: ${where('raw')}`, '', ''],
    ['', '', `underlay: ${where('underlay')}`, '', ''],
  ];
}

export function printReport(f: TunnelFigures): void {
  const { path: p, recovery: r, relayRtt: rr } = f;
  const relayFloor = p.ping.lanrage.p50 + rr.underlayA.p50 + rr.underlayB.p50;
  const c = p.cost;
  const rows: Row[] = [
    ['figure', 'LANrage', 'baseline (same run)', 'vs baseline', 'aim'],
    ...joinRows('direct', f.joinDirect),
    ...joinRows('relayed', f.joinRelayed),
    ...rttRows(
      `ICMP RTT (${p.pair})`,
      p.ping.lanrage,
      p.ping.underlay,
      p.ping.raw,
      '≤ raw + 0.1 ms',
    ),
    ...rttRows('UDP 64 B @ 1000/s RTT', p.udp.lanrage, p.udp.underlay, p.udp.raw, ''),
    ...rttRows('UDP 64 B @ 10000/s RTT', p.udpFast.lanrage, p.udpFast.underlay, p.udpFast.raw, ''),
    ...dropRows(p),
    [
      'iperf3 TCP throughput',
      `${p.mbps.lanrage.toFixed(0)} Mbit/s`,
      `raw wg ${p.mbps.raw.toFixed(0)} Mbit/s`,
      `${((100 * p.mbps.lanrage) / p.mbps.raw).toFixed(0)} %`,
      '≥ 90 % of raw wg',
    ],
    ['', '', `underlay ${p.mbps.underlay.toFixed(0)} Mbit/s`, '', ''],
    [
      `relayed ICMP RTT p50 (${rr.pair} via ${rr.relay})`,
      ms(rr.tunnel.p50),
      `direct ${ms(p.ping.lanrage.p50)} + relay underlay ${ms(rr.underlayA.p50)} + ${ms(rr.underlayB.p50)}`,
      diff(rr.tunnel.p50, relayFloor),
      '≤ +0.2 ms',
    ],
    [`relayed ICMP RTT p99`, ms(rr.tunnel.p99), '', '', ''],
    [
      'CPU per packet, both ends (UDP @ 10000/s)',
      `${c.lanrage.cpuUsPerPacket.toFixed(1)} µs (helper + core)`,
      `raw wg ${c.raw.cpuUsPerPacket.toFixed(1)} µs`,
      ratio(c.lanrage.cpuUsPerPacket, c.raw.cpuUsPerPacket),
      '',
    ],
    [
      'RSS of one end',
      `${c.lanrage.rssMb.toFixed(1)} MB (helper ${c.lanrage.rssSplit?.helper.toFixed(1)} + core ${c.lanrage.rssSplit?.core.toFixed(1)})`,
      `raw wg ${c.raw.rssMb.toFixed(1)} MB`,
      ratio(c.lanrage.rssMb, c.raw.rssMb),
      '',
    ],
    [
      `relay dies (${r.pair}, ${r.relayKilled} → ${r.after})`,
      `gap ${ms(r.gapMs)}`,
      `dead-path ${ms(r.deadPathAfterMs)}`,
      diff(r.gapMs, r.deadPathAfterMs),
      '≤ 5000 ms',
    ],
    ['', `kill → reply ${ms(r.killToReplyMs)}`, `probe every ${ms(r.probeIntervalMs)}`, '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: Row): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  console.log('\nlanrage-tunnel bench (NAT lab; every baseline measured in this run)');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'lanrage-tunnel', ...f })}`);
}
