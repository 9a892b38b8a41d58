import { join } from 'node:path';
import { saveConfigFile, loadConfigFile } from '../core/config/config-loader.js';
import type { Config } from '../core/config/config-schema.js';
import { LanrageCore } from '../core/lanrage-core.js';
import { createCoreLogger } from '../core/logging/core-logger.js';
import type { LanrageService } from '../service/lanrage-service.js';
import type { LogRing } from '../service/log-ring.js';
import { toServiceError } from '../service/service-errors.js';
import { LanrageError } from '../../src-shared/domain/lanrage-error.js';
import { currentElevation, PRIVILEGE_MESSAGES } from './privileged-helper.js';
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
  /** process.resourcesPath when packaged (the helper is in resources/helper/), else null. */
  resourcesPath: string | null;
}): Promise<HostedCore> {
  const { config, configPath } = o;
  const hosted: HostedCore = { core: null, stop: async () => undefined };
  // The helper is the only privileged process: the core starts it through pkexec (Linux).
  const elevation = currentElevation(o.resourcesPath);
  if (!elevation.ok) {
    o.service.detach(elevation.message);
    return hosted;
  }
  config.helperPath = config.helperPath ?? elevation.helperPath;
  config.helperElevation = elevation.helperElevation;
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
    const known = error instanceof LanrageError ? PRIVILEGE_MESSAGES[error.code] : undefined;
    o.service.detach(known ?? toServiceError(error).message);
  }
  return hosted;
}
