import type { CoreStatus } from '../../src-shared/domain/core-status.js';
import { normalizeInviteCode } from '../../src-shared/domain/invite-code.js';
import { appStateOf } from '../../src-shared/ipc/app-state-of.js';
import {
  STATUS_PUSH_MIN_INTERVAL_MS,
  type AppInfo,
  type AppState,
  type EventChannel,
  type EventPayload,
} from '../../src-shared/ipc/contract.js';
import type { InvokeHandlers } from '../../src-shared/ipc/contract-dispatch.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';
import type { CoreHandle } from './core-handle.js';
import { diagnosticsBundle } from './diagnostics.js';
import type { LogRing } from './log-ring.js';
import type { SettingsStore } from './settings-store.js';
import { Coalescer, REAL_TIMERS, type CoalescerTimers } from './status-coalescer.js';
import { toServiceError } from './service-errors.js';

/**
 * The contract's handlers over one connection core — the same object behind the Electron window,
 * the web-mode bridge and the local API (`lanrage status`). It owns no policy of its own: each
 * handler is the core's public API plus the contract's error codes. Pushes (`party:status`,
 * `app:state`) go to every subscriber through `publish`, coalesced.
 */
export type Publish = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

export interface ServiceOptions {
  info: AppInfo;
  settings: SettingsStore;
  logs: LogRing;
  timers?: CoalescerTimers;
  /** Told after a successful leave (`lanrage up` without a UI exits then, as it always did). */
  onLeft?: () => void;
}

export class LanrageService {
  private core: CoreHandle | null = null;
  private problem: string | null = null;
  private lastState: AppState | null = null;
  private lastStatus: CoreStatus | null = null;
  private readonly subscribers = new Set<Publish>();
  private readonly statusPushes: Coalescer<CoreStatus>;
  readonly handlers: InvokeHandlers;

  constructor(private readonly o: ServiceOptions) {
    this.statusPushes = new Coalescer(
      STATUS_PUSH_MIN_INTERVAL_MS,
      (status) => this.publishStatus(status),
      o.timers ?? REAL_TIMERS,
    );
    this.handlers = this.buildHandlers();
  }

  /** A publisher (one per window or web client); returns its removal. */
  subscribe(publish: Publish): () => void {
    this.subscribers.add(publish);
    return () => this.subscribers.delete(publish);
  }

  attach(core: CoreHandle): void {
    this.core = core;
    this.problem = null;
    this.coreStatusChanged(core.status());
  }

  /** The core is gone or could not start; `problem` says why, for the user. */
  detach(problem: string | null): void {
    this.core = null;
    this.problem = problem;
    this.lastStatus = null;
    this.publishState();
  }

  /** Wire the core's onStatus here. */
  coreStatusChanged(status: CoreStatus): void {
    this.lastStatus = status;
    this.statusPushes.push(status);
  }

  /** The state and problem now, for a window that just (re)loaded. */
  currentState(): EventPayload<'app:state'> {
    return { state: appStateOf(this.lastStatus), problem: this.problem };
  }

  stop(): void {
    this.statusPushes.stop();
    this.subscribers.clear();
  }

  private publishStatus(status: CoreStatus): void {
    for (const publish of this.subscribers) publish('party:status', status);
    const state = appStateOf(status);
    if (state !== this.lastState) this.publishState();
  }

  private publishState(): void {
    const payload = this.currentState();
    this.lastState = payload.state;
    for (const publish of this.subscribers) publish('app:state', payload);
  }

  private requireCore(): CoreHandle {
    if (this.core) return this.core;
    throw new ServiceError(
      'unavailable',
      this.problem ?? 'LANrage is still starting. Try again in a moment.',
    );
  }

  private buildHandlers(): InvokeHandlers {
    const call = async <T>(run: () => T | Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        throw toServiceError(error);
      }
    };
    return {
      'app:info': () => this.o.info,
      'party:status': () => {
        const core = this.requireCore();
        return core.statusWithCounters?.() ?? core.status();
      },
      'party:create': ({ name }) =>
        call(async () => {
          const core = this.requireCore();
          await core.createParty(name);
          return this.partyOf(core);
        }),
      'party:join': ({ inviteCode }) =>
        call(async () => {
          // The CLI's rules, checked before anything is sent: the same message everywhere.
          const code = normalizeInviteCode(inviteCode);
          if (!code.ok) throw new ServiceError('bad-invite', `Not an invite code: ${code.error}.`);
          const core = this.requireCore();
          await core.joinParty(code.value);
          return this.partyOf(core);
        }),
      'party:leave': () =>
        call(async () => {
          const core = this.requireCore();
          const inParty = core.status().party !== null;
          await core.leaveParty();
          this.coreStatusChanged(core.status());
          if (inParty) setImmediate(() => this.o.onLeft?.());
          return { left: inParty };
        }),
      'relays:list': ({ measure }) => call(() => this.requireCore().relayStatuses(measure)),
      'relays:use': ({ id }) =>
        call(() => {
          const core = this.requireCore();
          try {
            core.pinRelay(id);
          } catch (error) {
            throw new ServiceError('unknown-relay', (error as Error).message);
          }
          return core.relayStatuses(false);
        }),
      'relays:auto': () =>
        call(() => {
          const core = this.requireCore();
          core.pinRelay(null);
          return core.relayStatuses(false);
        }),
      'settings:get': () => this.o.settings.view(),
      'settings:set': (patch) =>
        call(async () => {
          const saved = this.o.settings.save(patch);
          // The running config already holds the new value; the helper must be told (without a
          // core, the next one starts with the saved file).
          if (saved.discoveryChanged) await this.core?.discoverySettingChanged();
          return saved.view;
        }),
      'logs:recent': ({ limit }) => ({ lines: this.o.logs.recent(limit) }),
      'diagnostics:export': () =>
        diagnosticsBundle({
          info: this.o.info,
          status: this.core?.status() ?? null,
          settings: this.o.settings.view().settings,
          problem: this.problem,
          logLines: this.o.logs.recent(200),
          now: new Date(),
        }),
    };
  }

  private partyOf(core: CoreHandle) {
    const party = core.status().party;
    if (!party) throw new ServiceError('internal', 'the party was entered but has no status');
    this.coreStatusChanged(core.status());
    return party;
  }
}
