import { chmodSync, closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import {
  generateKeyPair,
  isWireGuardKey,
  publicKeyFromPrivate,
  type KeyPair,
} from '../../src-common/crypto/x25519.js';

/**
 * The control server's X25519 key pair. Clients prove their WireGuard key against its public
 * half, so it must survive restarts (or every client would need to be told a new one). Stored as
 * one line of base64 (the private key, WireGuard style) in a file only the owner can read.
 */

/** Owner read/write only: the key lets anyone impersonate this server to clients that pin it. */
const KEY_FILE_MODE = 0o600;

export function loadOrCreateServerKey(
  path: string,
  warn: (line: string) => void = () => {},
): KeyPair {
  let fd: number;
  try {
    // 'wx' fails if the file exists, so two servers starting at once cannot both write a key.
    fd = openSync(path, 'wx', KEY_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readServerKey(path, warn);
  }
  const pair = generateKeyPair();
  try {
    writeSync(fd, `${pair.privateKey}\n`);
  } finally {
    closeSync(fd);
  }
  return pair;
}

function readServerKey(path: string, warn: (line: string) => void): KeyPair {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warn(`${path} was readable by others (mode ${mode.toString(8)}); setting it to 600`);
    chmodSync(path, KEY_FILE_MODE);
  }
  const privateKey = readFileSync(path, 'utf8').trim();
  if (!isWireGuardKey(privateKey)) {
    throw new Error(
      `${path} does not hold a 32-byte base64 private key; move it away to make a new one`,
    );
  }
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}
