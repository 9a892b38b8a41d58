/** What the driver (status-push.bench.ts) and the measured process (status-push-host.ts) say. */
export type HostMode = 'web' | 'electron';

export type HostRequest = { kind: 'round'; push: boolean; seconds: number } | { kind: 'stop' };

export interface RoundResult {
  push: boolean;
  seconds: number;
  updates: number;
  /** Whole process (every thread: main, GC helpers, libuv), ms. */
  processCpuMs: number;
  /** The main (JavaScript) thread alone, ms; null where /proc is not readable. */
  mainThreadCpuMs: number | null;
  /** Per update: main-process CPU of LanrageService.coreStatusChanged and all it calls, ms. */
  pushCpuMs: number[];
  gc: { minor: number; major: number; pauseMs: number };
}

export type HostReply =
  /** `buildCpuMs`: the CPU of building each status beforehand (the core's work, simulated). */
  | { kind: 'ready'; url: string | null; buildCpuMs: number[] }
  | { kind: 'round'; result: RoundResult };

/** The party: 32 members, so 31 peers in every status. */
export const MEMBERS = 32;
