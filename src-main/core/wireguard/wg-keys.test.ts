import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicKeyFromPrivate } from '../../../src-common/crypto/x25519.js';
import { loadOrCreateKeys, PRIVATE_KEY_FILE } from './wg-keys.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lanrage-keys-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateKeys', () => {
  it('creates a key pair once, stored 0600 in the config dir', async () => {
    const configDir = join(dir, 'config');
    const keys = await loadOrCreateKeys(configDir);
    expect(keys.created).toBe(true);
    expect(keys.publicKey).toBe(publicKeyFromPrivate(keys.privateKey));
    const info = await stat(join(configDir, PRIVATE_KEY_FILE));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
    expect((await readFile(keys.path, 'utf8')).trim()).toBe(keys.privateKey);
  });

  it('reloads the same identity on the next start', async () => {
    const first = await loadOrCreateKeys(dir);
    const second = await loadOrCreateKeys(dir);
    expect(second).toEqual({ ...first, created: false });
  });

  it('reads a key written by `wg genkey` format and tightens a loose mode to 0600', async () => {
    const first = await loadOrCreateKeys(dir);
    await chmod(first.path, 0o644);
    const again = await loadOrCreateKeys(dir);
    expect(again.privateKey).toBe(first.privateKey);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file with a clear error and leaves it untouched', async () => {
    const path = join(dir, PRIVATE_KEY_FILE);
    await writeFile(path, 'not a key\n', { mode: 0o600 });
    await expect(loadOrCreateKeys(dir)).rejects.toThrow(/does not hold a base64 X25519 key/);
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });

  it('gives every racing first start the same identity', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeys(dir)));
    expect(new Set(results.map((r) => r.privateKey)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});
