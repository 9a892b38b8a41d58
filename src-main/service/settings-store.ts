import type { z } from 'zod';
import { ConfigSchema, type Config, type ConfigInput } from '../core/config/config-schema.js';
import {
  ConfigError,
  loadConfigFile,
  parseConfig,
  saveConfigFile,
} from '../core/config/config-loader.js';
import type { EditableSettings, SettingsView } from '../../src-shared/ipc/contract.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';

/**
 * The settings file behind the Settings view (config.json in the config dir or the app's
 * user-data folder), validated by the core's own config schema. A bad file is reported by field
 * and left alone; only the user saving settings replaces it.
 */

/** Read live by the core's peer connections: a new value applies without a restart. */
const LIVE_FIELDS = [
  'monitorIntervalMs',
  'degradedThresholdMs',
  'reconnectAttempts',
  'failedCleanupMs',
] as const;
/**
 * Applied by the helper, which is told only when asked: save() updates the running config and
 * reports the change so the service calls the core's discoverySettingChanged().
 */
const PUSHED_FIELDS = ['discovery'] as const;
/** Used when the core starts or a party is entered: saved now, in effect after a restart. */
const RESTART_FIELDS = ['controlUrl', 'name'] as const;

/** What save() did: the view after it, and whether the core must re-apply discovery now. */
export interface SavedSettings {
  view: SettingsView;
  discoveryChanged: boolean;
}

export class SettingsStore {
  private fileProblem: string | null = null;

  /**
   * `live` is the config object the running core reads (mutated in place for LIVE_FIELDS);
   * `overrides` are command-line values that win over the file.
   */
  constructor(
    private readonly path: string,
    private readonly live: Config,
    private readonly overrides: ConfigInput = {},
  ) {}

  /** Loads the file for a core to start with: defaults plus a problem when the file is bad. */
  static load(
    path: string,
    overrides: ConfigInput = {},
  ): { config: Config; problem: string | null } {
    try {
      return { config: loadConfigFile(path, overrides), problem: null };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { config: parseConfig(overrides, path), problem: error.message };
    }
  }

  reportFileProblem(problem: string | null): void {
    this.fileProblem = problem;
  }

  view(): SettingsView {
    const restartNeeded: string[] = [];
    let saved: Config = this.live;
    try {
      saved = loadConfigFile(this.path, this.overrides);
    } catch {
      // Reported through fileProblem; the running values are what the user sees.
    }
    for (const field of RESTART_FIELDS)
      if (saved[field] !== this.live[field]) restartNeeded.push(field);
    return { settings: editable(saved), restartNeeded, fileProblem: this.fileProblem };
  }

  /** Validates with the config schema (the message names the field), saves, applies what can be. */
  save(patch: EditableSettings): SavedSettings {
    let base: Record<string, unknown> = {};
    try {
      base = { ...loadConfigFile(this.path) };
    } catch {
      // The user is replacing a bad file by saving: start from the values in use.
      base = { ...this.live };
    }
    const candidate = ConfigSchema.safeParse({ ...base, ...patch });
    if (!candidate.success) {
      const issue = candidate.error.issues[0];
      const field = issue?.path.join('.') || 'settings';
      throw new ServiceError('bad-setting', `${field}: ${plainWords(issue)}`);
    }
    saveConfigFile(this.path, candidate.data);
    this.fileProblem = null;
    for (const field of LIVE_FIELDS) this.live[field] = candidate.data[field];
    const discoveryChanged = this.live.discovery !== candidate.data.discovery;
    for (const field of PUSHED_FIELDS) this.live[field] = candidate.data[field];
    return { view: this.view(), discoveryChanged };
  }
}

function editable(config: Config): EditableSettings {
  return {
    controlUrl: config.controlUrl,
    name: config.name,
    monitorIntervalMs: config.monitorIntervalMs,
    degradedThresholdMs: config.degradedThresholdMs,
    reconnectAttempts: config.reconnectAttempts,
    failedCleanupMs: config.failedCleanupMs,
    discovery: config.discovery,
  };
}

/** A schema refusal in words for the Settings view ("must be at least 10"). */
function plainWords(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'invalid value';
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `must be at most ${String(issue.maximum)}`;
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
