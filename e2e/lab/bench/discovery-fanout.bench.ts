/**
 * Game-discovery fan-out cost (issue 11): one broadcast copied to every peer of a full 32-member
 * party, in the helper's own code (helper/internal/discovery, Go benchmarks), against the plain
 * unicast pass through the same hook measured in the same run. Prints ns and wire bytes per peer
 * and the ratio to a unicast send. `npm run bench -- discovery` (about 15 s; no root needed).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELPER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'helper');
/** Long enough for a stable mean on a loaded machine, short enough for `npm run bench`. */
const BENCH_TIME = '2s';
const PEERS = 31;
/** Packets per batch in the Datapath benchmarks (datapath_bench_test.go). */
const BATCH = 128;

interface Result {
  nsPerOp: number;
  metrics: Map<string, number>;
}

function parse(output: string): Map<string, Result> {
  const results = new Map<string, Result>();
  for (const line of output.split('\n')) {
    const m = /^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op(.*)$/.exec(line);
    if (!m) continue;
    const metrics = new Map<string, number>();
    for (const [, value, unit] of m[3]!.matchAll(/([\d.]+) ([\w/-]+)/g))
      metrics.set(unit!, Number(value));
    results.set(m[1]!, { nsPerOp: Number(m[2]), metrics });
  }
  return results;
}

const output = execFileSync(
  'go',
  [
    'test',
    './internal/discovery/',
    '-run',
    '^$',
    '-bench',
    '.',
    '-benchmem',
    '-benchtime',
    BENCH_TIME,
  ],
  { cwd: HELPER, encoding: 'utf8' },
);
const r = parse(output);
const base = r.get('UnicastBaseline');
const small = r.get('BroadcastFanOut32');
const large = r.get('BroadcastFanOut32Large');
const deliver = r.get('EnvelopeDelivery');
const readBare = r.get('DatapathReadBare');
const readHooked = r.get('DatapathReadHooked');
const writeBare = r.get('DatapathWriteBare');
const writeHooked = r.get('DatapathWriteHooked');
if (
  !base ||
  !small ||
  !large ||
  !deliver ||
  !readBare ||
  !readHooked ||
  !writeBare ||
  !writeHooked
) {
  process.stdout.write(output);
  throw new Error('a discovery benchmark is missing from the go test output');
}
const row = (name: string, res: Result, inner: number) => {
  const perPeer = res.nsPerOp / PEERS;
  const bytes = res.metrics.get('wire-bytes/peer') ?? 0;
  return `| ${name} | ${res.nsPerOp.toFixed(0)} ns | ${perPeer.toFixed(0)} ns | ${(perPeer / base.nsPerOp).toFixed(1)} × | ${bytes} B (${inner} + ${bytes - inner}) | ${res.metrics.get('allocs/op') ?? 0} |`;
};
process.stdout.write(
  [
    `Broadcast fan-out to a 32-member party (31 peers), helper/internal/discovery, go test -benchtime ${BENCH_TIME}`,
    '',
    '| packet | whole fan-out | per peer | per peer ÷ unicast pass | wire bytes per peer (inner + envelope) | allocs |',
    '| --- | --- | --- | --- | --- | --- |',
    row('53 B A2S_INFO broadcast', small, 53),
    row('1,388 B broadcast (largest)', large, 1388),
    `| baseline: one unicast packet through the same hook + one queue copy | ${base.nsPerOp.toFixed(0)} ns | — | 1 × | ${base.metrics.get('wire-bytes/op') ?? 0} B | ${base.metrics.get('allocs/op') ?? 0} |`,
    `| receive side: one envelope unwrapped for the OS | ${deliver.nsPerOp.toFixed(0)} ns | — | ${(deliver.nsPerOp / base.nsPerOp).toFixed(1)} × | — | ${deliver.metrics.get('allocs/op') ?? 0} |`,
    '',
    'What the discovery hook costs every other packet of the tunnel (128 × 1,420-byte unicast UDP per batch, no-op TUN):',
    '',
    '| direction | bare TUN device, per packet | with the discovery hook, per packet | added |',
    '| --- | --- | --- | --- |',
    `| OS → WireGuard (Read, incl. the copy into WireGuard's buffer) | ${(readBare.nsPerOp / BATCH).toFixed(1)} ns | ${(readHooked.nsPerOp / BATCH).toFixed(1)} ns | ${((readHooked.nsPerOp - readBare.nsPerOp) / BATCH).toFixed(1)} ns |`,
    `| WireGuard → OS (Write) | ${(writeBare.nsPerOp / BATCH).toFixed(1)} ns | ${(writeHooked.nsPerOp / BATCH).toFixed(1)} ns | ${((writeHooked.nsPerOp - writeBare.nsPerOp) / BATCH).toFixed(1)} ns |`,
    '',
    'Wire bytes are before WireGuard, which adds its own 32-byte data header, 16-byte tag and the',
    'outer IPv4/UDP 28 bytes to each copy (plus 16 for the relay DATA header on a relayed pair).',
    `BENCH_JSON ${JSON.stringify({ hookReadNs: (readHooked.nsPerOp - readBare.nsPerOp) / BATCH, hookWriteNs: (writeHooked.nsPerOp - writeBare.nsPerOp) / BATCH, baseNs: base.nsPerOp, fanOutNs: small.nsPerOp, fanOutLargeNs: large.nsPerOp, deliverNs: deliver.nsPerOp, peers: PEERS })}`,
    '',
  ].join('\n'),
);
