/**
 * `npm run bench -- status-push`: a 32-member party whose status changes every second, pushed
 * through the real service (coalescer, contract check, tray model) to the real renderer in
 * Chromium over the real web bridge. The core is simulated at the status seam (CoreHandle): what
 * is measured is everything after it. Baselines are measured in the same run:
 *   - main process: CPU per second with the page connected and no pushes (idle), against CPU per
 *     second with one push a second, and the synchronous cost of each push;
 *   - renderer: JS heap after a forced GC at the start and end of an idle phase, against the same
 *     around the push phase.
 * The issue asks for 10 minutes; BENCH_SECONDS (default 60 per phase) shortens it for shared CI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { CoreStatus, PeerStatus } from '../../../src-shared/domain/core-status.js';
import { inParty, peer, relayed } from '../../../src-shared/domain/testing/status-fixtures.js';
import { parseConfig } from '../../core/config/config-loader.js';
import { trayModel } from '../../electron/tray-menu-model.js';
import { TrayUpdater } from '../../electron/tray-updater.js';
import { parseUiAddress } from '../../web/ui-address.js';
import { startWebUi } from '../../web/web-ui-server.js';
import type { CoreHandle } from '../core-handle.js';
import { LanrageService } from '../lanrage-service.js';
import { LogRing } from '../log-ring.js';
import { SettingsStore } from '../settings-store.js';

const PHASE_S = Number(process.env.BENCH_SECONDS ?? 60);
const MEMBERS = 32;
const PUSH_EVERY_MS = 1_000;
const RENDERER_DIR = join(import.meta.dirname, '..', '..', '..', 'dist', 'renderer');

function party(tick: number): CoreStatus {
  const peers: PeerStatus[] = [];
  for (let i = 1; i < MEMBERS; i++) {
    const ms = 10 + ((i * 7 + tick * 3) % 40);
    const history = Array.from({ length: 60 }, (_, k) => 10 + ((i + k + tick) % 40));
    const base =
      i % 3 === 0
        ? relayed(`player${i}`, i % 2 ? 'near' : 'far', ms)
        : peer(`player${i}`, { latencyMs: ms });
    peers.push({ ...base, id: `key-${i}`, virtualIp: `10.66.0.${i + 1}`, latencyHistory: history });
  }
  return inParty(peers);
}

// The page under test is the built renderer; build it once if this checkout has none yet.
if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
  execFileSync(process.execPath, ['scripts/build.mjs', '--only', 'renderer'], { stdio: 'inherit' });
}

let current = party(0);
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
  info: { name: 'LANrage', version: '0.1.0', platform: process.platform, mode: 'web' },
  settings: new SettingsStore(
    join(mkdtempSync(join(tmpdir(), 'lanrage-bench-')), 'c.json'),
    parseConfig({}),
  ),
  logs: new LogRing(),
});
// What Electron main adds per push: the tray model and its updater (publishEvent sends
// party:status unparsed; the page's bridge checks it — see ipc-main.ts).
const tray = new TrayUpdater(() => undefined, {
  now: () => performance.now(),
  setTimer: (run, ms) => {
    const id = setTimeout(run, ms);
    return () => clearTimeout(id);
  },
});
service.subscribe((channel, payload) => {
  if (channel !== 'party:status') return;
  tray.update(trayModel(payload as CoreStatus));
});
service.attach(core);
const ui = await startWebUi({
  address: parseUiAddress('127.0.0.1:0'),
  rendererDir: RENDERER_DIR,
  handlers: service.handlers,
  subscribe: (p) => service.subscribe(p),
  greet: (p) => p('party:status', current),
  logger: { warn: (m) => console.warn(m), info: () => undefined },
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--js-flags=--expose-gc'],
});
const page = await browser.newPage({ viewport: { width: 1040, height: 720 } });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(ui.url);
await page.getByRole('button', { name: 'Peers', exact: true }).click();
await page.getByTestId('peer').first().waitFor();

async function heapMB(): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
}

async function phase(push: boolean) {
  const heapBefore = await heapMB();
  const cpuBefore = process.cpuUsage();
  const costs: number[] = [];
  const cpuCosts: number[] = [];
  for (let tick = 1; tick <= PHASE_S; tick++) {
    await new Promise((r) => setTimeout(r, PUSH_EVERY_MS));
    if (!push) continue;
    current = party(tick);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    service.coreStatusChanged(current);
    const cpu = process.cpuUsage(cpuStarted);
    costs.push(performance.now() - started);
    cpuCosts.push((cpu.user + cpu.system) / 1000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  await new Promise((r) => setTimeout(r, 500));
  const heapAfter = await heapMB();
  costs.sort((a, b) => a - b);
  cpuCosts.sort((a, b) => a - b);
  return {
    cpuP50: cpuCosts[Math.floor(cpuCosts.length / 2)] ?? 0,
    cpuMean: cpuCosts.reduce((a, b) => a + b, 0) / Math.max(1, cpuCosts.length),
    cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / PHASE_S,
    heapGrowthMB: heapAfter - heapBefore,
    heapAfterMB: heapAfter,
    p50: costs[Math.floor(costs.length / 2)] ?? 0,
    p99: costs[Math.floor(costs.length * 0.99)] ?? 0,
  };
}

console.log(
  `${MEMBERS}-member party, one status push a second, ${PHASE_S} s per phase (the issue asks for 600 s)`,
);
const idle = await phase(false);
const pushing = await phase(true);
const shown = await page.getByTestId('peer').count();
console.log(`renderer shows ${shown} peers`);
console.log(
  `main process CPU, whole process: idle phase ${idle.cpuMsPerSecond.toFixed(2)} ms/s | push phase ${pushing.cpuMsPerSecond.toFixed(2)} ms/s (one update a second; the difference is the cost per update, within the noise of a shared machine when it is negative)`,
);
console.log(
  `main process CPU of each push itself: mean ${pushing.cpuMean.toFixed(3)} ms, p50 ${pushing.cpuP50.toFixed(3)} ms (aim < 1 ms)`,
);
console.log(
  `main process wall time of each push (coalescer + tray model + JSON to the page): p50 ${pushing.p50.toFixed(3)} ms, p99 ${pushing.p99.toFixed(3)} ms`,
);
console.log(
  `renderer JS heap after GC: idle phase ${idle.heapGrowthMB >= 0 ? '+' : ''}${idle.heapGrowthMB.toFixed(2)} MB | push phase ${pushing.heapGrowthMB >= 0 ? '+' : ''}${pushing.heapGrowthMB.toFixed(2)} MB (aim < 5 MB), ends at ${pushing.heapAfterMB.toFixed(1)} MB`,
);
await browser.close();
await ui.close();
service.stop();
tray.stop();
