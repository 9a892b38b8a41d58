import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoreStatus, RelayStatus } from '../../src-shared/domain/core-status.js';
import { idle, inParty, peer } from '../../src-shared/domain/testing/status-fixtures.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';
import { parseConfig } from '../core/config/config-loader.js';
import { LanrageError } from '../../src-shared/domain/lanrage-error.js';
import type { CoreHandle } from './core-handle.js';
import { LanrageService } from './lanrage-service.js';
import { LogRing } from './log-ring.js';
import { SettingsStore } from './settings-store.js';
import { loadAppSettings } from '../electron/core-host.js';

const INFO = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'web' } as const;

/** Stands in for LanrageCore at its public API (the seam the service is written against). */
class CoreDouble implements CoreHandle {
  current: CoreStatus = idle();
  pins: (string | null)[] = [];
  /** The config's discovery value each time the core was asked to re-apply it. */
  discoveryApplied: boolean[] = [];
  /** The config object the real core would read (set by setUp). */
  config = parseConfig({});
  status = () => this.current;
  createParty = async (name: string) => {
    this.current = inParty([], { party: { id: 'p', name, inviteCode: 'K7M2Q-9XTRA' } });
  };
  joinParty = async (code: string) => {
    if (code !== 'K7M2Q-9XTRA')
      throw new LanrageError('bad-invite', 'no party has invite code AAAAA-BBBBB');
    this.current = inParty([peer('ben')]);
  };
  leaveParty = async () => {
    this.current = idle();
  };
  relayStatuses = async (): Promise<RelayStatus[]> => [];
  pinRelay = (id: string | null) => {
    if (id === 'nowhere') throw new Error('no relay "nowhere"; known: near, far');
    this.pins.push(id);
  };
  discoverySettingChanged = async () => {
    this.discoveryApplied.push(this.config.discovery);
  };
}

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'lanrage-service-'));
  const path = join(dir, 'config.json');
  const config = parseConfig({});
  const core = new CoreDouble();
  core.config = config;
  const logs = new LogRing(3);
  const service = new LanrageService({
    info: INFO,
    settings: new SettingsStore(path, config),
    logs,
  });
  const pushes: string[] = [];
  service.subscribe((channel, payload) =>
    pushes.push(`${channel} ${channel === 'app:state' ? JSON.stringify(payload) : ''}`.trim()),
  );
  return { service, core, logs, path, config, pushes };
}

const fail = (p: unknown) =>
  Promise.resolve(p).then(
    () => null,
    (e: unknown) => e as ServiceError,
  );

describe('LanrageService', () => {
  it('says LANrage cannot run a party, and why, before a core is attached', async () => {
    const { service } = setUp();
    service.detach('The helper was refused.');
    const error = await fail(
      Promise.resolve().then(() => service.handlers['party:status'](undefined)),
    );
    expect(error).toEqual(new ServiceError('unavailable', 'The helper was refused.'));
    expect(service.currentState()).toEqual({
      state: 'disconnected',
      problem: 'The helper was refused.',
    });
  });

  it('creates a party and pushes the status and the new state', async () => {
    const { service, core, pushes } = setUp();
    service.attach(core);
    expect(await service.handlers['party:create']({ name: 'Friday LAN' })).toEqual({
      id: 'p',
      name: 'Friday LAN',
      inviteCode: 'K7M2Q-9XTRA',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(pushes).toContain('app:state {"state":"connected","problem":null}');
  });

  it('checks an invite code with the CLI rules before asking the core', async () => {
    const { service, core } = setUp();
    service.attach(core);
    const error = await fail(service.handlers['party:join']({ inviteCode: 'K7M2Q' }));
    expect(error).toEqual(
      new ServiceError(
        'bad-invite',
        'Not an invite code: invite code has 5 letters and digits; it needs 10.',
      ),
    );
  });

  it('folds a typed code (case, O for 0) and passes the core a canonical one', async () => {
    const { service, core } = setUp();
    service.attach(core);
    expect((await service.handlers['party:join']({ inviteCode: 'k7m2q 9xtra' })).name).toBe(
      'Friday LAN',
    );
  });

  it('turns the core refusing a code into bad-invite', async () => {
    const { service, core } = setUp();
    service.attach(core);
    const error = await fail(service.handlers['party:join']({ inviteCode: 'AAAAA-BBBBB' }));
    expect(error).toEqual(
      new ServiceError(
        'bad-invite',
        'No party has invite code AAAAA-BBBBB. Check it with whoever sent it.',
      ),
    );
  });

  it('pins and unpins a relay, and names an unknown one', async () => {
    const { service, core } = setUp();
    service.attach(core);
    await service.handlers['relays:use']({ id: 'far' });
    await service.handlers['relays:auto'](undefined);
    expect(core.pins).toEqual(['far', null]);
    const error = await fail(
      Promise.resolve().then(() => service.handlers['relays:use']({ id: 'nowhere' })),
    );
    expect(error).toEqual(
      new ServiceError('unknown-relay', 'no relay "nowhere"; known: near, far'),
    );
  });

  it('refuses an invalid setting naming the field, and saves nothing', async () => {
    const { service, path } = setUp();
    const settings = { ...(await service.handlers['settings:get'](undefined)).settings };
    const error = await fail(
      Promise.resolve().then(() =>
        service.handlers['settings:set']({ ...settings, degradedThresholdMs: 5 }),
      ),
    );
    expect((error as ServiceError).code).toBe('bad-setting');
    expect((error as ServiceError).message).toBe('degradedThresholdMs: must be at least 10');
    expect(() => readFileSync(path)).toThrow();
  });

  it('saves settings, applies thresholds live and says which need a restart', async () => {
    const { service, path, config } = setUp();
    const settings = (await service.handlers['settings:get'](undefined)).settings;
    const view = await service.handlers['settings:set']({
      ...settings,
      degradedThresholdMs: 150,
      name: 'ana',
    });
    expect(config.degradedThresholdMs).toBe(150);
    expect(view.restartNeeded).toEqual(['name']);
    expect(JSON.parse(readFileSync(path, 'utf8')).degradedThresholdMs).toBe(150);
  });

  it('turns game discovery off: saved as false, and the running core re-applies it at once', async () => {
    const { service, core, path, config } = setUp();
    service.attach(core);
    const settings = (await service.handlers['settings:get'](undefined)).settings;
    expect(settings.discovery).toBe(true);
    const view = await service.handlers['settings:set']({ ...settings, discovery: false });
    expect(view.settings.discovery).toBe(false);
    expect(view.restartNeeded).toEqual([]);
    expect(JSON.parse(readFileSync(path, 'utf8')).discovery).toBe(false);
    expect(config.discovery).toBe(false);
    expect(core.discoveryApplied).toEqual([false]);
    // Saving again without changing it does not make the helper redo its setup.
    await service.handlers['settings:set']({ ...settings, discovery: false });
    expect(core.discoveryApplied).toEqual([false]);
    await service.handlers['settings:set']({ ...settings, discovery: true });
    expect(core.discoveryApplied).toEqual([false, true]);
  });

  it('refuses a discovery setting that is not true or false, and changes nothing', async () => {
    const { service, core, path, config } = setUp();
    service.attach(core);
    const settings = (await service.handlers['settings:get'](undefined)).settings;
    const error = await fail(
      service.handlers['settings:set']({
        ...settings,
        discovery: 'off' as unknown as boolean,
      }),
    );
    expect(error).toEqual(
      new ServiceError(
        'bad-setting',
        'discovery: invalid input: expected boolean, received string',
      ),
    );
    expect(() => readFileSync(path)).toThrow();
    expect(config.discovery).toBe(true);
    expect(core.discoveryApplied).toEqual([]);
  });

  it('reports a bad settings file by field and leaves it alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanrage-service-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"degradedThresholdMs": "fast"}');
    const { problem } = SettingsStore.load(path);
    expect(problem).toMatch(/degradedThresholdMs/);
    expect(readFileSync(path, 'utf8')).toBe('{"degradedThresholdMs": "fast"}');
  });

  it('returns the newest log lines and a diagnostics bundle with them', async () => {
    const { service, core, logs } = setUp();
    service.attach(core);
    for (const line of ['a', 'b', 'c', 'd']) logs.push(line);
    expect(await service.handlers['logs:recent']({ limit: 2 })).toEqual({ lines: ['c', 'd'] });
    const bundle = await service.handlers['diagnostics:export'](undefined);
    expect(bundle.fileName).toMatch(/^lanrage-diagnostics-\d{8}-\d{6}\.json$/);
    const content = JSON.parse(bundle.content) as { log: string[]; status: CoreStatus };
    expect(content.log).toEqual(['b', 'c', 'd']);
    expect(content.status.state).toBe('idle');
  });

  it('shows a bad settings file by field, leaves it alone, and replaces it only when the user saves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanrage-service-'));
    const bad = '{"name": "ana", "degradedThresholdMs": "fast"}';
    writeFileSync(join(dir, 'config.json'), bad);
    // What the desktop app does at start-up (electron-main.ts).
    const { config, configPath, settings } = loadAppSettings(dir);
    expect(config.degradedThresholdMs).toBe(200);
    const service = new LanrageService({ info: INFO, settings, logs: new LogRing() });
    const view = await service.handlers['settings:get'](undefined);
    expect(view.fileProblem).toBe(
      `${configPath}: degradedThresholdMs: Invalid input: expected number, received string`,
    );
    expect(view.settings.degradedThresholdMs).toBe(200);
    await service.handlers['diagnostics:export'](undefined);
    expect(readFileSync(configPath, 'utf8')).toBe(bad);

    const saved = await service.handlers['settings:set']({ ...view.settings, name: 'ana' });
    expect(saved.fileProblem).toBeNull();
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toMatchObject({
      name: 'ana',
      degradedThresholdMs: 200,
    });
  });

  it('exports diagnostics without the user name and password of the control URL', async () => {
    const { service, core } = setUp();
    service.attach(core);
    const settings = (await service.handlers['settings:get'](undefined)).settings;
    await service.handlers['settings:set']({
      ...settings,
      controlUrl: 'https://alice:hunter2@control.example:7400/',
    });
    const bundle = await service.handlers['diagnostics:export'](undefined);
    const content = JSON.parse(bundle.content) as { settings: { controlUrl: string } };
    expect(content.settings.controlUrl).toBe('https://control.example:7400/');
    expect(bundle.content).not.toContain('hunter2');
    expect(bundle.content).not.toContain('alice');
  });
});
