/**
 * The NAT lab by hand (as root):
 *
 *   npx tsx e2e/lab/lab-cli.ts up       bring the sample scenario up, print its layout and live
 *                                       status until Ctrl-C, then tear everything down
 *   npx tsx e2e/lab/lab-cli.ts down     remove everything a lab (even a crashed one) left behind
 *   npx tsx e2e/lab/lab-cli.ts status   what is running now
 *
 * `up` first clears leftovers of a crashed run. No LANrage core runs yet: the scenario is the
 * topology with the STUN-like responder; the connection core will be started inside it later.
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB_STATE_DIR } from './delay-link.js';
import { requireRoot } from './exec.js';
import { ping, percentile } from './ping.js';
import { Lab, type LabLayout, type ScenarioSpec } from './topology.js';
import { listNamespaces, teardownLab, LAB_PREFIX } from './teardown.js';
import { UdpAgent } from './udp-agent-client.js';

const STATE_FILE = join(LAB_STATE_DIR, 'lab.json');
// Often enough to watch a change happen, rare enough that the probes themselves are no load.
const STATUS_INTERVAL_MS = 5_000;

export const SAMPLE_SCENARIO: ScenarioSpec = {
  players: [
    { name: 'alice', nat: 'open' },
    { name: 'bob', nat: 'full_cone' },
    { name: 'carol', nat: 'port_restricted' },
    { name: 'dave', nat: 'symmetric' },
  ],
  relays: [
    { name: 'near', delayMs: 10 },
    { name: 'far', delayMs: 40 },
  ],
};

function printLayout(layout: LabLayout): void {
  console.log(`lab ${layout.id} (namespaces ${layout.prefix}*)`);
  console.log(
    `  internet   ${layout.internetNs}: control slot ${layout.control.ip}, STUN ${layout.stun.ips.join(' + ')} ports ${layout.stun.ports.join(' + ')}`,
  );
  for (const r of layout.relays)
    console.log(
      `  relay      ${r.name.padEnd(6)} ${r.ip.padEnd(15)} ${r.delayMs} ms each way   ns ${r.ns}`,
    );
  for (const p of layout.players) {
    console.log(
      `  player     ${p.name.padEnd(6)} ${p.ip.padEnd(15)} ${p.nat.padEnd(16)} public ${p.publicIp.padEnd(14)} ns ${p.ns}  wg ${p.wgName}`,
    );
  }
}

async function statusLine(lab: Lab, agents: Map<string, UdpAgent>): Promise<string> {
  const parts: string[] = [];
  for (const relay of lab.layout.relays) {
    const rtt = percentile((await ping(lab.layout.internetNs, relay.ip, 1, 0.2)).rttsMs, 50);
    const stats = await lab.relayLink(relay.name).stats();
    parts.push(
      `${relay.name} rtt ${Number.isNaN(rtt) ? 'lost' : `${rtt.toFixed(1)}ms`} pkts ${stats.aToB.forwarded}/${stats.bToA.forwarded}`,
    );
  }
  for (const [name, agent] of agents) {
    const answer = await agent.ask(`${lab.layout.stun.ips[0]}:${lab.layout.stun.ports[0]}`);
    parts.push(
      `${name} ${answer.ok ? `${answer.mapped.host}:${answer.mapped.port}` : answer.error}`,
    );
  }
  return `${new Date().toISOString().slice(11, 19)}  ${parts.join(' | ')}`;
}

async function up(): Promise<void> {
  // Handlers go in before anything is built: a Ctrl-C during start-up must still tear down.
  let stopRequested = false;
  let wake: () => void = () => {};
  const request = () => {
    stopRequested = true;
    wake();
  };
  process.on('SIGINT', request);
  process.on('SIGTERM', request);
  process.on('SIGHUP', request);
  const left = await teardownLab();
  if (left.namespaces.length > 0)
    console.log(`cleared ${left.namespaces.length} namespaces left by an earlier run`);
  const started = Date.now();
  const lab = await Lab.start(SAMPLE_SCENARIO);
  const agents = new Map<string, UdpAgent>();
  try {
    await mkdir(LAB_STATE_DIR, { recursive: true });
    await writeFile(STATE_FILE, JSON.stringify({ pid: process.pid, layout: lab.layout }, null, 2));
    printLayout(lab.layout);
    for (const p of lab.layout.players) {
      if (!stopRequested) agents.set(p.name, await UdpAgent.start(p.ns));
    }
    console.log(
      `up in ${Date.now() - started} ms. Live status (relay RTT from the internet, link packets in/out; each player's STUN mapping). Ctrl-C to stop.`,
    );
    while (!stopRequested) {
      console.log(await statusLine(lab, agents));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, STATUS_INTERVAL_MS);
      });
    }
  } finally {
    console.log('\ntearing the lab down…');
    await Promise.all([...agents.values()].map((a) => a.stop().catch(() => {})));
    await lab.stop();
    await rm(STATE_FILE, { force: true });
    console.log('lab removed');
  }
}

async function status(): Promise<void> {
  const namespaces = await listNamespaces(LAB_PREFIX);
  const state = await readFile(STATE_FILE, 'utf8').then(
    (t) => JSON.parse(t) as { pid: number; layout: LabLayout },
    () => null,
  );
  if (state) {
    let alive = true;
    try {
      process.kill(state.pid, 0);
    } catch {
      alive = false;
    }
    console.log(
      `lab ${state.layout.id}: started by pid ${state.pid} (${alive ? 'running' : 'gone — run "down" to clear'})`,
    );
    printLayout(state.layout);
  }
  console.log(namespaces.length ? `namespaces: ${namespaces.join(' ')}` : 'no lab namespaces');
}

async function main(): Promise<void> {
  requireRoot();
  const command = process.argv[2];
  if (command === 'up') await up();
  else if (command === 'down') {
    const report = await teardownLab();
    await rm(STATE_FILE, { force: true });
    console.log(
      `removed ${report.namespaces.length} namespaces, stopped ${report.processes} processes, ${report.sockets.length} sockets`,
    );
  } else if (command === 'status') await status();
  else {
    console.error('usage: lab-cli.ts up|down|status');
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
