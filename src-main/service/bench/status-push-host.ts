/**
 * The measured side of `npm run bench -- status-push`: the app's push path in a process of its own,
 * forked by status-push.bench.ts, so that its CPU account holds what the app's main process would
 * spend and nothing of the test driver's (Playwright runs in the driver; its CDP traffic and its
 * 45 MB heap used to land on the account being measured).
 *
 * Run as the app runs its main code: bundled by esbuild and started with plain `node` (the driver
 * does both), not through tsx, whose loader thread and esbuild service would share the account.
 * `node status-push-host.cjs <mode>`, mode:
 *   web       as `lanrage up --ui` wires it (up-command.ts): LanrageService → web bridge → the page
 *             over a loopback WebSocket (JSON, one frame per push); the driver's Chromium connects.
 *   electron  as electron-main.ts wires it: LanrageService → publishEvent → webContents.send, and
 *             the tray model + TrayUpdater. There is no Electron binary here, so `send` does what
 *             webContents.send does: serializes the payload with V8's ValueSerializer and hands the
 *             bytes to another process (Mojo's channel; here a pipe the driver drains, fd 4).
 *             Rebuilding the native tray menu when a line changes is Electron's and not measured.
 * The core is simulated at the status seam (CoreHandle). Building a status is the core's work, not
 * the push path's, so the statuses are built before anything is measured (STATUS_CYCLE of them,
 * each a new object as the core's would be) and the cost of building one is reported apart.
 *
 * The driver runs rounds (`HostRequest`); each round reports the process's CPU and its main
 * thread's, the GC work, and the CPU of each push (`RoundResult`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import {
  LATENCY_HISTORY_LENGTH,
  type CoreStatus,
  type PeerStatus,
} from '../../../src-shared/domain/core-status.js';
import { inParty, peer, relayed } from '../../../src-shared/domain/testing/status-fixtures.js';
import { parseConfig } from '../../core/config/config-loader.js';
import { publishEvent, type PushTarget } from '../../electron/ipc-main.js';
import { trayModel } from '../../electron/tray-menu-model.js';
import { TrayUpdater } from '../../electron/tray-updater.js';
import { parseUiAddress } from '../../web/ui-address.js';
import { startWebUi } from '../../web/web-ui-server.js';
import type { CoreHandle } from '../core-handle.js';
import { LanrageService } from '../lanrage-service.js';
import { LogRing } from '../log-ring.js';
import { SettingsStore } from '../settings-store.js';
import { REAL_TIMERS } from '../status-coalescer.js';
import {
  MEMBERS,
  type HostMode,
  type HostReply,
  type HostRequest,
  type RoundResult,
} from './status-push-protocol.js';

const TICK_MS = 1_000;
/** The pipe standing in for Mojo's channel to the renderer (the driver's fork opens it). */
const RENDERER_PIPE_FD = 4;
/** partyAt repeats itself after 40 ticks (every figure in it is taken modulo 40). */
const STATUS_CYCLE = 40;

/** The status a 32-member party's core would report at `tick`: every latency moves each second. */
function partyAt(tick: number): CoreStatus {
  const peers: PeerStatus[] = [];
  for (let i = 1; i < MEMBERS; i++) {
    const ms = 10 + ((i * 7 + tick * 3) % 40);
    const history = Array.from(
      { length: LATENCY_HISTORY_LENGTH },
      (_, k) => 10 + ((i + k + tick) % 40),
    );
    const base =
      i % 3 === 0
        ? relayed(`player${i}`, i % 2 ? 'near' : 'far', ms)
        : peer(`player${i}`, { latencyMs: ms });
    peers.push({ ...base, id: `key-${i}`, virtualIp: `10.66.0.${i + 1}`, latencyHistory: history });
  }
  return inParty(peers);
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** The main thread's CPU so far, from the scheduler's own account (ns); null off Linux. */
function mainThreadMs(): number | null {
  try {
    const ns = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0];
    return Number(ns) / 1e6;
  } catch {
    return null;
  }
}

async function main(mode: HostMode): Promise<void> {
  const buildCpuMs: number[] = [];
  const statuses = Array.from({ length: STATUS_CYCLE }, (_, tick) => {
    const started = process.cpuUsage();
    const status = partyAt(tick);
    buildCpuMs.push(cpuMs(process.cpuUsage(started)));
    return status;
  });
  let current = statuses[0]!;
  const core: CoreHandle = {
    status: () => current,
    createParty: async () => undefined,
    joinParty: async () => undefined,
    leaveParty: async () => undefined,
    relayStatuses: async () => [],
    pinRelay: () => undefined,
    discoverySettingChanged: async () => undefined,
  };
  const service = new LanrageService({
    info: { name: 'LANrage', version: '0.1.0', platform: process.platform, mode },
    settings: new SettingsStore(
      join(mkdtempSync(join(tmpdir(), 'lanrage-bench-')), 'c.json'),
      parseConfig({}),
    ),
    logs: new LogRing(),
  });
  service.attach(core);

  let url: string | null = null;
  let close = async (): Promise<void> => undefined;
  if (mode === 'web') {
    const ui = await startWebUi({
      address: parseUiAddress('127.0.0.1:0'),
      rendererDir: process.env.BENCH_RENDERER_DIR ?? '',
      handlers: service.handlers,
      subscribe: (publish) => service.subscribe(publish),
      greet: (publish) => {
        publish('app:state', service.currentState());
        publish('party:status', current);
      },
      logger: { warn: (m) => console.warn(m), info: () => undefined },
    });
    url = ui.url;
    close = ui.close;
  } else {
    // One window, as electron-main.ts subscribes it.
    const toRenderer = new Socket({ fd: RENDERER_PIPE_FD, readable: false, writable: true });
    const window: PushTarget = {
      send: (_channel, payload) => toRenderer.write(serialize(payload)),
      isDestroyed: () => false,
    };
    service.subscribe((channel, payload) => publishEvent(window, channel, payload));
    // The tray follows the same pushes (electron-main.ts → tray-controller.ts); rendering the
    // native menu is Electron's and is not done here.
    const tray = new TrayUpdater(() => undefined, REAL_TIMERS);
    service.subscribe((channel, payload) => {
      if (channel === 'party:status') tray.update(trayModel(payload as CoreStatus));
    });
    close = async () => tray.stop();
  }

  let gc = { minor: 0, major: 0, pauseMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perf.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      else if (kind === perf.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      gc.pauseMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });

  let tick = 0;
  async function round(push: boolean, seconds: number): Promise<RoundResult> {
    gc = { minor: 0, major: 0, pauseMs: 0 };
    const pushCpuMs: number[] = [];
    const threadBefore = mainThreadMs();
    const before = process.cpuUsage();
    for (let s = 0; s < seconds; s++) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      if (!push) continue;
      current = statuses[++tick % STATUS_CYCLE]!;
      const pushing = process.cpuUsage();
      service.coreStatusChanged(current);
      pushCpuMs.push(cpuMs(process.cpuUsage(pushing)));
    }
    const processCpuMs = cpuMs(process.cpuUsage(before));
    const threadAfter = mainThreadMs();
    return {
      push,
      seconds,
      updates: pushCpuMs.length,
      processCpuMs,
      mainThreadCpuMs:
        threadBefore === null || threadAfter === null ? null : threadAfter - threadBefore,
      pushCpuMs,
      gc,
    };
  }

  const reply = (message: HostReply) => process.send?.(message);
  process.on('message', (request: HostRequest) => {
    if (request.kind === 'stop') {
      service.stop();
      void close().then(() => process.exit(0));
      return;
    }
    void round(request.push, request.seconds).then((result) => reply({ kind: 'round', result }));
  });
  reply({ kind: 'ready', url, buildCpuMs });
}

const mode = process.argv[2];
if (mode !== 'web' && mode !== 'electron') {
  console.error('usage: status-push-host.ts web|electron (forked by status-push.bench.ts)');
  process.exit(2);
}
main(mode).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
