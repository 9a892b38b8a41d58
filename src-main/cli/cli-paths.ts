import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a user's LANrage state lives: keys, config, log, the local socket. */
export function defaultConfigDir(env = process.env): string {
  if (env.LANRAGE_CONFIG_DIR) return env.LANRAGE_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'lanrage');
}
