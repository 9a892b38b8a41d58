import { chmod, rm, writeFile } from 'node:fs/promises';
import { run } from './exec.js';

/**
 * An unprivileged system user for the lab, and a sudoers rule that lets it start exactly one
 * program as root: the WireGuard helper, with no arguments. This is the deployment the helper is
 * built for — the core runs as a normal user, only the helper is privileged — made real on this
 * machine with `sudo -n` standing in for pkexec (which needs a desktop session's polkit agent).
 */
export interface LabUser {
  name: string;
  uid: number;
  gid: number;
}

/** The lab's prefix, so a reader of /etc/passwd knows where the user came from. */
export const LAB_USER = 'lrlab';
const SUDOERS_DIR = '/etc/sudoers.d';

async function lookupUser(name: string): Promise<LabUser | null> {
  const entry = await run('getent', ['passwd', name]).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  if (!entry) return null;
  const [, , uid, gid] = entry.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** The system user `name` (created without a home or a login shell when missing). */
export async function ensureLabUser(name = LAB_USER): Promise<LabUser> {
  const existing = await lookupUser(name);
  if (existing) return existing;
  await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const created = await lookupUser(name);
  if (!created) throw new Error(`useradd ${name} succeeded but getent does not know the user`);
  return created;
}

function sudoersPath(user: LabUser): string {
  return `${SUDOERS_DIR}/lanrage-lab-${user.name}`;
}

/**
 * Lets `user` run `helperPath` as root without a password — that binary only, and only without
 * arguments (sudoers' `""`). The file is checked with visudo before it is left in place: a broken
 * sudoers file would lock sudo for everyone.
 */
export async function allowHelper(user: LabUser, helperPath: string): Promise<() => Promise<void>> {
  const path = sudoersPath(user);
  await writeFile(path, `${user.name} ALL=(root) NOPASSWD: ${helperPath} ""\n`, { mode: 0o440 });
  await chmod(path, 0o440);
  try {
    await run('visudo', ['-c', '-q', '-f', path]);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return () => rm(path, { force: true });
}

/** The words that run a command as `user` (no capabilities, no supplementary groups). */
export function asUser(user: LabUser): string[] {
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
  ];
}
