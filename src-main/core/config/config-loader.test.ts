import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, saveConfigFile } from './config-loader.js';

const dir = () => mkdtempSync(join(tmpdir(), 'lanrage-config-'));

describe('config', () => {
  it('fills every setting with its default', () => {
    const config = parseConfig({});
    expect(config.monitorIntervalMs).toBe(30_000);
    expect(config.reconnectAttempts).toBe(3);
    expect(config.degradedThresholdMs).toBe(200);
    expect(config.failedCleanupMs).toBe(300_000);
    expect(config.pinnedRelay).toBeNull();
  });

  it.each([
    [{ controlUrl: 'ftp://x' }, 'controlUrl'],
    [{ interfaceName: 'a-name-far-too-long' }, 'interfaceName'],
    [{ monitorIntervalMs: 5 }, 'monitorIntervalMs'],
    [{ relays: [{ id: 'x', endpoint: 'nope' }] }, 'relays.0.endpoint'],
    [{ typo: 1 }, 'typo'],
  ])('names the field that is wrong in %j', (input, field) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    try {
      parseConfig(input);
    } catch (error) {
      expect((error as Error).message).toContain(field);
    }
  });

  it('treats a missing file as all defaults', () => {
    expect(loadConfigFile(join(dir(), 'none.json')).interfaceName).toBe('lanrage0');
  });

  it('names the file when it is not JSON', () => {
    const path = join(dir(), 'config.json');
    writeFileSync(path, '{ "name": ');
    expect(() => loadConfigFile(path)).toThrow(/config\.json: is not valid JSON/);
  });

  it('saves with owner-only permissions and reads back the same settings', () => {
    const path = join(dir(), 'sub', 'config.json');
    const config = parseConfig({ name: 'ana', pinnedRelay: 'eu-1' });
    saveConfigFile(path, config);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadConfigFile(path)).toEqual(config);
    expect(JSON.parse(readFileSync(path, 'utf8')).name).toBe('ana');
  });
});
