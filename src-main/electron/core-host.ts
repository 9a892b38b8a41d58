import { join } from 'node:path';
import { saveConfigFile, loadConfigFile } from '../core/config/config-loader.js';
import type { Config } from '../core/config/config-schema.js';
import { LanrageCore } from '../core/lanrage-core.js';
import { createCoreLogger } from '../core/logging/core-logger.js';
import type { LanrageService } from '../service/lanrage-service.js';
import type { LogRing } from '../service/log-ring.js';
import { toServiceError } from '../service/service-errors.js';
import { SettingsStore } from '../service/settings-store.js';

/**
 * The connection core inside the desktop app: the same LanrageCore `lanrage up` runs, its
 * settings in the app's user-data folder (config.json, validated by the core's schema; a bad
 * file is reported by field in Settings and replaced only when the user saves), its WireGuard
 * key and log beside them.
 */
export interface HostedCore {
  core: LanrageCore | null;
  /** Leaves the party and removes the interface; nothing runs after it resolves. */
  stop(): Promise<void>;
}

export type Privilege = { ok: true } | { ok: false; message: string };

/**
 * The one call that changes when the WireGuard helper's driver (branch `helper`) is on main: it
 * will start the helper with startHelperWithPkexec (privileged-helper.ts) and hand its driver to
 * the core. Until then the core configures WireGuard itself, which takes root.
 */
export async function acquirePrivilege(): Promise<Privilege> {
  if (process.getuid?.() === 0) return { ok: true };
  return {
    ok: false,
    message:
      'The desktop app needs the LANrage network helper to run as a normal user, and this build does not include it yet. ' +
      'Meanwhile, start LANrage from a terminal as root with a web UI: sudo lanrage up --ui 7480, and open the address it prints.',
  };
}

/** The settings file in the user-data folder: defaults plus a by-field problem when it is bad. */
export function loadAppSettings(userDataDir: string): {
  config: Config;
  configPath: string;
  settings: SettingsStore;
} {
  const configPath = join(userDataDir, 'config.json');
  const { config, problem } = SettingsStore.load(configPath);
  const settings = new SettingsStore(configPath, config);
  settings.reportFileProblem(problem);
  return { config, configPath, settings };
}

export async function startHostedCore(o: {
  userDataDir: string;
  config: Config;
  configPath: string;
  service: LanrageService;
  logs: LogRing;
}): Promise<HostedCore> {
  const { config, configPath } = o;
  const hosted: HostedCore = { core: null, stop: async () => undefined };
  const privilege = await acquirePrivilege();
  if (!privilege.ok) {
    o.service.detach(privilege.message);
    return hosted;
  }
  const logger = createCoreLogger({
    level: config.logLevel,
    configDir: o.userDataDir,
    console: false,
    ring: o.logs.stream,
  });
  try {
    const core = await LanrageCore.start({
      config,
      configDir: o.userDataDir,
      logger,
      onStatus: (status) => o.service.coreStatusChanged(status),
      onPinnedRelay: (id) => {
        try {
          saveConfigFile(configPath, { ...loadConfigFile(configPath), pinnedRelay: id });
        } catch (error) {
          // A bad file stays untouched until the user saves Settings; the pin holds for this run.
          logger.warn('relay pin not saved: the settings file is invalid', {
            error: String(error),
          });
        }
      },
    });
    hosted.core = core;
    hosted.stop = () => core.stop();
    o.service.attach(core);
  } catch (error) {
    o.service.detach(toServiceError(error).message);
  }
  return hosted;
}
