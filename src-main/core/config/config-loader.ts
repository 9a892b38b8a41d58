import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LanrageError } from '../../../src-shared/domain/lanrage-error.js';
import { ConfigSchema, type Config, type ConfigInput } from './config-schema.js';

/** A config problem, naming the file and the field, raised at load time — never later. */
export class ConfigError extends LanrageError {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super('bad-config', message);
    this.name = 'ConfigError';
  }
}

export function parseConfig(input: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : null;
  const what = field ?? 'the file';
  throw new ConfigError(`${source}: ${what}: ${issue?.message ?? 'invalid'}`, field);
}

/** Reads a JSON config file; a missing file means all defaults, a broken one is a ConfigError. */
export function loadConfigFile(path: string, overrides: ConfigInput = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig(overrides, path);
    throw new ConfigError(`${path}: cannot be read: ${(error as Error).message}`, null);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: is not valid JSON: ${(error as Error).message}`, null);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`${path}: must hold a JSON object`, null);
  }
  return parseConfig({ ...json, ...overrides }, path);
}

/** Writes atomically (temp file + rename) so a crash never leaves half a config behind. */
export function saveConfigFile(path: string, config: Config): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
}
