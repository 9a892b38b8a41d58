import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateKeyPair,
  isWireGuardKey,
  publicKeyFromPrivate,
  type KeyPair,
} from '../../../src-common/crypto/x25519.js';
import { WireGuardError } from './wireguard-error.js';

/**
 * The member's WireGuard identity: created once, kept in the config dir as a 0600 file holding the
 * base64 private key (the `wg genkey` format, so `wg` itself can read it), reloaded on every start.
 * Peers and the control server know us by the public key, so a silently regenerated key would
 * break every party we are in: a damaged key file is an error, never overwritten.
 */
export const PRIVATE_KEY_FILE = 'wireguard-private.key';

// Owner read/write only: the private key is the member's identity.
const KEY_FILE_MODE = 0o600;
const CONFIG_DIR_MODE = 0o700;

export interface StoredKeys extends KeyPair {
  path: string;
  /** True when this call created the key (first start). */
  created: boolean;
}

export interface KeyStoreOptions {
  fileName?: string;
  /** Injected randomness seam for tests; defaults to node:crypto X25519. */
  generate?: () => KeyPair;
}

async function readKeyFile(path: string): Promise<StoredKeys> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!isWireGuardKey(text)) {
    throw new WireGuardError(
      'invalid-argument',
      `WireGuard key file ${path} does not hold a base64 X25519 key; move it away to create a new identity`,
    );
  }
  const info = await stat(path);
  // Somebody loosened the mode (a copy, a backup restore): tighten it rather than keep leaking.
  if ((info.mode & 0o777) !== KEY_FILE_MODE) await chmod(path, KEY_FILE_MODE);
  return { privateKey: text, publicKey: publicKeyFromPrivate(text), path, created: false };
}

export async function loadOrCreateKeys(
  configDir: string,
  options: KeyStoreOptions = {},
): Promise<StoredKeys> {
  const path = join(configDir, options.fileName ?? PRIVATE_KEY_FILE);
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(configDir, { recursive: true, mode: CONFIG_DIR_MODE });
  // An existing directory keeps whatever mode it had: tighten it before a key goes in.
  await chmod(configDir, CONFIG_DIR_MODE);
  const keys = (options.generate ?? generateKeyPair)();
  // Write a private temp file, then link(2) it into place: link fails if another instance got
  // there first, so two starts racing never end up with different identities on disk.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${keys.privateKey}\n`, { mode: KEY_FILE_MODE, flag: 'wx' });
  await chmod(temp, KEY_FILE_MODE);
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return await readKeyFile(path);
  } finally {
    await unlink(temp);
  }
  return { ...keys, path, created: true };
}
