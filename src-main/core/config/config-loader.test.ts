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
    expect(config.discovery).toBe(true);
    expect(config.discoveryMulticastGroups).toEqual(['224.0.2.60']);
  });

  it('turns game discovery off and lists its groups from the config file', () => {
    const config = parseConfig({ discovery: false, discoveryMulticastGroups: ['239.1.2.3'] });
    expect(config.discovery).toBe(false);
    expect(config.discoveryMulticastGroups).toEqual(['239.1.2.3']);
  });

  it('refuses a discovery group that belongs to the home network, naming why', () => {
    expect(() => parseConfig({ discoveryMulticastGroups: ['224.0.0.251'] })).toThrow(
      /discoveryMulticastGroups\.0.*mDNS/,
    );
    expect(() => parseConfig({ discoveryMulticastGroups: ['239.255.255.250'] })).toThrow(/SSDP/);
    expect(() => parseConfig({ discoveryMulticastGroups: ['224.0.2.60', '224.0.2.60'] })).toThrow(
      /twice/,
    );
  });

  it.each([
    [{ controlUrl: 'ftp://x' }, 'controlUrl'],
    [{ interfaceName: 'a-name-far-too-long' }, 'interfaceName'],
    [{ monitorIntervalMs: 5 }, 'monitorIntervalMs'],
    [{ relays: [{ id: 'x', endpoint: 'nope' }] }, 'relays.0.endpoint'],
    [{ typo: 1 }, 'typo'],
    [{ discovery: 'yes' }, 'discovery'],
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
