/**
 * What the IPC safety checks cost per message, beside the same path without them.
 *
 *   1. main's dispatch of app:info: sender check + request schema + handler + response schema,
 *      vs. the bare handler behind the same fake ipcMain (baseline).
 *   2. the bridge's CSP-safe (jitless) parse of an AppInfo answer, vs. zod's JIT parse (baseline),
 *      which main may use but a page under our CSP may not.
 *
 * Run: npx tsx src-main/electron/bench/ipc-dispatch.bench.ts
 */
import { handlersWith } from '../../../src-shared/ipc/testing/handlers-with.js';
import { AppInfoSchema, type AppInfo } from '../../../src-shared/ipc/contract.js';
import { registerIpcHandlers, type IpcMainLike } from '../ipc-main.js';
import { checkIpcSender, type IpcSenderLike } from '../trusted-ipc-sender.js';

/** Enough calls that timer resolution and JIT warm-up vanish; still well under a second each. */
const ITERATIONS = 50_000;
const WARMUP = 5_000;

const RENDERER_URL = 'file:///opt/LANrage/resources/app.asar/dist/renderer/index.html';
const SENDER: IpcSenderLike = {
  sender: { id: 1 },
  senderFrame: { url: RENDERER_URL, parent: null },
};
const INFO: AppInfo = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' };

type Listener = (event: IpcSenderLike, ...args: unknown[]) => unknown;

function capture(register: (ipcMain: IpcMainLike) => void): Listener {
  let captured: Listener | undefined;
  register({
    handle: (channel, listener) => {
      if (channel === 'app:info') captured = listener;
    },
    removeHandler: () => undefined,
  });
  if (!captured) throw new Error('nothing registered');
  return captured;
}

async function timeAsync(run: () => unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await run();
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

function timeSync(run: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) run();
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

function report(name: string, ns: number, baselineName: string, baselineNs: number): void {
  const ratio = ns / baselineNs;
  console.log(
    `${name}: ${(ns / 1000).toFixed(2)} µs/op  | baseline ${baselineName}: ${(baselineNs / 1000).toFixed(2)} µs/op  | ratio ${ratio.toFixed(2)}×`,
  );
}

const checked = capture((ipcMain) =>
  registerIpcHandlers({
    ipcMain,
    handlers: handlersWith({ 'app:info': () => INFO }),
    checkSender: (event) =>
      checkIpcSender(event, { trustedWebContentsIds: new Set([1]), rendererUrl: RENDERER_URL }),
    logger: { warn: () => undefined },
  }),
);
const bare = capture((ipcMain) => ipcMain.handle('app:info', async () => INFO));

report(
  'ipc-main app:info dispatch (checked)',
  await timeAsync(() => checked(SENDER, undefined)),
  'unchecked handler',
  await timeAsync(() => bare(SENDER, undefined)),
);
report(
  'bridge AppInfo parse (jitless, CSP-safe)',
  timeSync(() => AppInfoSchema.safeParse(INFO, { jitless: true })),
  'zod JIT parse',
  timeSync(() => AppInfoSchema.safeParse(INFO)),
);
