import { readdir, unlink } from 'node:fs/promises';
import { run } from './exec.js';

/**
 * Removes what a lab left behind — namespaces named with the lab prefix, every process still
 * running inside them (udp agents, wireguard-go, the delay-link helpers, which live in their far
 * namespace), and wireguard-go sockets of lab interfaces. Used on a normal stop, on Ctrl-C, and
 * at start-up after a crashed run. Only lab namespaces are touched: processes are found with
 * `ip netns pids <lab namespace>`, never by name.
 */
export const LAB_PREFIX = 'lr-';
/** WireGuard interface names in the lab start with this (socket files are global, see DESIGN). */
export const LAB_WG_PREFIX = 'lr';
const WIREGUARD_SOCKET_DIR = '/var/run/wireguard';
// Processes get this long to exit on SIGTERM (wireguard-go removes its socket) before SIGKILL.
const TERM_GRACE_MS = 1_500;
const POLL_MS = 50;

export async function listNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

async function pidsIn(ns: string): Promise<number[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', ns]);
    return stdout
      .split('\n')
      .filter((line) => /^\d+$/.test(line.trim()))
      .map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcesses(pids: number[]): Promise<void> {
  const own = new Set([process.pid, process.ppid]);
  const targets = pids.filter((pid) => !own.has(pid));
  targets.forEach((pid) => signal(pid, 'SIGTERM'));
  const deadline = Date.now() + TERM_GRACE_MS;
  while (targets.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  targets.filter(alive).forEach((pid) => signal(pid, 'SIGKILL'));
}

export interface TeardownReport {
  namespaces: string[];
  processes: number;
  sockets: string[];
}

/** Tears down every namespace starting with `prefix` and lab sockets starting with `wgPrefix`. */
export async function teardownLab(
  prefix = LAB_PREFIX,
  wgPrefix = LAB_WG_PREFIX,
): Promise<TeardownReport> {
  if (!prefix.startsWith(LAB_PREFIX) || !wgPrefix.startsWith(LAB_WG_PREFIX)) {
    throw new Error(`refusing to tear down "${prefix}": lab names start with ${LAB_PREFIX}`);
  }
  const namespaces = await listNamespaces(prefix);
  const pids = (await Promise.all(namespaces.map(pidsIn))).flat();
  await stopProcesses(pids);
  for (const ns of namespaces) {
    await run('ip', ['netns', 'del', ns]).catch(() => {});
  }
  const sockets = (await readdir(WIREGUARD_SOCKET_DIR).catch(() => [] as string[])).filter(
    (name) => name.startsWith(wgPrefix) && name.endsWith('.sock'),
  );
  await Promise.all(
    sockets.map((name) => unlink(`${WIREGUARD_SOCKET_DIR}/${name}`).catch(() => {})),
  );
  return { namespaces, processes: pids.length, sockets };
}
