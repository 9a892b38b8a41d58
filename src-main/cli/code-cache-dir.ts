/**
 * Where the CLI launcher keeps its V8 code cache (code-cache-launcher.ts). A code cache is
 * compiled code that V8 runs without checking it against the source (only its length and V8's
 * version and flags): whoever can write it can run code as the user who loads it. So the cache is
 * read and written only in a directory that this process's own user owns and that nobody else may
 * write, and `sudo lanrage up` from a user's checkout neither writes root-owned files into the
 * user's tree nor runs, as root, a cache that user could have written:
 *
 *   1. beside the bundle, when that directory is ours alone (a build of our own; an install root
 *      made for the user that runs it);
 *   2. else the user's cache directory: $XDG_CACHE_HOME/lanrage or ~/.cache/lanrage
 *      (~/Library/Caches/lanrage on macOS), ~ being the home the user database names, not $HOME,
 *      which sudo may leave pointing at the invoking user's home; created private if missing;
 *   3. else nowhere: the start compiles the bundle as usual.
 *
 * On Windows, whose file modes say nothing of owners, the cache stays beside the bundle.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Group and others may not write: only the owner can put a cache there. */
const WRITABLE_BY_OTHERS = 0o022;
/** A cache directory this launcher creates: the owner's alone. */
const PRIVATE_DIR_MODE = 0o700;

export interface CacheDirContext {
  /** The directory of lanrage.cjs. */
  bundleDir: string;
  platform: NodeJS.Platform;
  /** The effective user id; undefined on Windows. */
  uid: number | undefined;
  /** The user's home from the user database (os.userInfo().homedir). */
  home: string;
  /** $XDG_CACHE_HOME, if set. */
  xdgCacheHome: string | undefined;
}

/** The per-user cache directory (step 2), whether or not it exists. */
export function userCacheDir(c: CacheDirContext): string {
  if (c.platform === 'darwin') return join(c.home, 'Library', 'Caches', 'lanrage');
  const base =
    c.xdgCacheHome && c.xdgCacheHome.startsWith('/') ? c.xdgCacheHome : join(c.home, '.cache');
  return join(base, 'lanrage');
}

/** True when `dir` exists, is a directory owned by `uid`, and only its owner may write it. */
export function ownedPrivately(dir: string, uid: number): boolean {
  try {
    const st = statSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & WRITABLE_BY_OTHERS) === 0;
  } catch {
    return false;
  }
}

/** The directory for the cache, by the rules above; null when there is none. Never throws. */
export function chooseCacheDir(c: CacheDirContext): string | null {
  if (c.uid === undefined) return c.bundleDir;
  if (ownedPrivately(c.bundleDir, c.uid)) return c.bundleDir;
  const dir = userCacheDir(c);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch {
    return null;
  }
  return ownedPrivately(dir, c.uid) ? dir : null;
}
