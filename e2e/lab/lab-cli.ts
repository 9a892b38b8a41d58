/**
 * The NAT lab by hand (as root):
 *
 *   npx tsx e2e/lab/lab-cli.ts up       bring the sample scenario up, print its layout and live
 *                                       status until Ctrl-C, then tear everything down
 *   npx tsx e2e/lab/lab-cli.ts up --ui  the same, and the first player's real UI in web mode at
 *                                       http://127.0.0.1:7480/ (`sudo npm run lab -- --ui`)
 *   npx tsx e2e/lab/lab-cli.ts down     remove everything a lab (even a crashed one) left behind
 *   npx tsx e2e/lab/lab-cli.ts status   what is running now
 *
 * `up` first clears leftovers of a crashed run, then starts the real servers (control, STUN, two
 * relays) and a real `lanrage up` behind each player's NAT, all in one party.
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { LAB_STATE_DIR } from './delay-link.js';
import { forwardIntoNamespace } from './namespace-forward.js';
import { requireRoot } from './exec.js';
import { brief, ensureRenderer, PartyLab } from './party-lab.js';
import { type LabLayout, type ScenarioSpec } from './topology.js';
import { listNamespaces, teardownLab, LAB_PREFIX } from './teardown.js';

const STATE_FILE = join(LAB_STATE_DIR, 'lab.json');
// Often enough to watch a change happen, rare enough that the probes themselves are no load.
const STATUS_INTERVAL_MS = 5_000;
/** Where `up --ui` serves the first player's web UI on this machine's loopback. */
const UI_PORT = 7480;

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

/** One line per player: what its `lanrage status --json` says about each peer. */
async function statusLines(party: PartyLab): Promise<string> {
  const lines: string[] = [new Date().toISOString().slice(11, 19)];
  for (const p of party.lab.layout.players) {
    const s = await party.status(p.name).catch((e: Error) => e);
    if (s instanceof Error) {
      lines.push(`  ${p.name.padEnd(6)} status failed: ${s.message.split('\n')[0]}`);
      continue;
    }
    lines.push(
      `  ${p.name.padEnd(6)} ${(s.self.virtualIp ?? '-').padEnd(11)} ${s.self.natType.padEnd(21)} ${s.peers.map(brief).join('  ')}`,
    );
  }
  return lines.join('\n');
}

async function up(withUi: boolean): Promise<void> {
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
  if (withUi) ensureRenderer();
  const left = await teardownLab();
  if (left.namespaces.length > 0)
    console.log(`cleared ${left.namespaces.length} namespaces left by an earlier run`);
  const started = Date.now();
  let forward: Server | null = null;
  const party = await PartyLab.start({
    players: SAMPLE_SCENARIO.players,
    relays: SAMPLE_SCENARIO.relays ?? [],
  });
  try {
    await mkdir(LAB_STATE_DIR, { recursive: true });
    await writeFile(
      STATE_FILE,
      JSON.stringify({ pid: process.pid, layout: party.lab.layout }, null, 2),
    );
    printLayout(party.lab.layout);
    const [first, ...rest] = party.lab.layout.players;
    const invite = await party.up(
      first!.name,
      { create: 'lab party' },
      null,
      {},
      withUi ? ['--ui', '127.0.0.1:0'] : [],
    );
    console.log(`${first!.name} created the party; invite code ${invite}`);
    if (withUi) {
      const inside = new URL(await party.webUiUrl(first!.name));
      forward = await forwardIntoNamespace(first!.ns, Number(inside.port), UI_PORT);
      console.log(
        `${first!.name}'s LANrage UI (web mode): http://127.0.0.1:${UI_PORT}/${inside.hash}`,
      );
    }
    for (const p of rest) {
      if (stopRequested) break;
      await party.up(p.name, { join: invite! });
      console.log(`${p.name} joined`);
    }
    console.log(
      `up in ${Date.now() - started} ms; logs in ${party.logDir}. Live \`lanrage status\` of each player (peer:state/strategy@relay/RTT). Ctrl-C to stop.`,
    );
    while (!stopRequested) {
      console.log(await statusLines(party));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, STATUS_INTERVAL_MS);
      });
    }
  } finally {
    forward?.close();
    console.log('\ntearing the lab down…');
    await party.stop();
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
  if (command === 'up') await up(process.argv.includes('--ui'));
  else if (command === 'down') {
    const report = await teardownLab();
    await rm(STATE_FILE, { force: true });
    console.log(
      `removed ${report.namespaces.length} namespaces, stopped ${report.processes} processes, ${report.sockets.length} sockets`,
    );
  } else if (command === 'status') await status();
  else {
    console.error('usage: lab-cli.ts up [--ui]|down|status');
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
