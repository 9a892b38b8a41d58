import { runIn } from '../exec.js';

/**
 * Where the datagrams of a load were lost: the kernel's own drop counters of a namespace, read
 * before and after it. UDP receive-buffer overflows (a socket not read fast enough: the echo
 * tool's, the helper's or wireguard-go's) and send-buffer failures come from /proc/net/snmp;
 * queue drops per interface (a TUN whose reader is late drops what it cannot queue) from
 * /proc/net/dev. The counters are the namespace's, so a figure names the place, not the socket.
 */
export interface DropCounters {
  udpRcvbufErrors: number;
  udpSndbufErrors: number;
  /** Per interface, receive and transmit drops. */
  interfaces: Record<string, { rx: number; tx: number }>;
}

/** /proc/net/snmp: a header line and a value line per protocol, fields by name. */
function parseUdp(snmp: string): { rcvbuf: number; sndbuf: number } {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const names = (lines[0] ?? '').split(/\s+/).slice(1);
  const values = (lines[1] ?? '').split(/\s+/).slice(1).map(Number);
  const field = (name: string): number => values[names.indexOf(name)] ?? 0;
  return { rcvbuf: field('RcvbufErrors'), sndbuf: field('SndbufErrors') };
}

/** /proc/net/dev: "name: rx bytes packets errs drop … tx bytes packets errs drop …". */
function parseDev(dev: string): DropCounters['interfaces'] {
  const out: DropCounters['interfaces'] = {};
  for (const line of dev.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!name || rest === undefined) continue;
    const f = rest.trim().split(/\s+/).map(Number);
    out[name.trim()] = { rx: f[3] ?? 0, tx: f[11] ?? 0 };
  }
  return out;
}

export async function readDropCounters(ns: string): Promise<DropCounters> {
  const { stdout } = await runIn(ns, 'sh', [
    '-c',
    'cat /proc/net/snmp; echo ===; cat /proc/net/dev',
  ]);
  const [snmp = '', dev = ''] = stdout.split('===\n');
  const udp = parseUdp(snmp);
  return { udpRcvbufErrors: udp.rcvbuf, udpSndbufErrors: udp.sndbuf, interfaces: parseDev(dev) };
}

/** What grew between two readings, as "UDP rcvbuf 12, lr0ab1 tx 3"; "none" when nothing did. */
export function describeDrops(before: DropCounters, after: DropCounters): string {
  const parts: string[] = [];
  const rcv = after.udpRcvbufErrors - before.udpRcvbufErrors;
  const snd = after.udpSndbufErrors - before.udpSndbufErrors;
  if (rcv > 0) parts.push(`UDP rcvbuf ${rcv}`);
  if (snd > 0) parts.push(`UDP sndbuf ${snd}`);
  for (const [name, now] of Object.entries(after.interfaces)) {
    const then = before.interfaces[name] ?? { rx: 0, tx: 0 };
    if (now.rx > then.rx) parts.push(`${name} rx ${now.rx - then.rx}`);
    if (now.tx > then.tx) parts.push(`${name} tx ${now.tx - then.tx}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Runs `load` and says what each namespace dropped meanwhile. */
export async function dropsDuring<T>(
  namespaces: Record<string, string>,
  load: () => Promise<T>,
): Promise<{ result: T; drops: Record<string, string> }> {
  const entries = Object.entries(namespaces);
  const before = await Promise.all(entries.map(([, ns]) => readDropCounters(ns)));
  const result = await load();
  const after = await Promise.all(entries.map(([, ns]) => readDropCounters(ns)));
  const drops = Object.fromEntries(
    entries.map(([label], i) => [label, describeDrops(before[i]!, after[i]!)]),
  );
  return { result, drops };
}
