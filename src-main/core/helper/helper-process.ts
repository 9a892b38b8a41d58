import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HelperError } from './helper-error.js';

/**
 * The `lanrage-helper` child process: where its binary is, how it is started (directly, or behind
 * an elevation command such as `pkexec` or `sudo -n` so that only the helper runs privileged), its
 * stderr lines into our log, and its end. The protocol runs over its stdin/stdout
 * (helper-client.ts); closing its stdin is how it learns we are gone, so even an elevated helper
 * we cannot signal removes its interface when we exit or crash.
 */
export const HELPER_BINARY_NAME =
  process.platform === 'win32' ? 'lanrage-helper.exe' : 'lanrage-helper';
/** Where `npm run build` puts the helper, relative to the repository root. */
export const HELPER_BUILD_DIR = join('dist', 'helper');
/** Environment override of the binary path (tests, packagers, people with their own build). */
export const HELPER_PATH_ENV = 'LANRAGE_HELPER';
/** After our stdin EOF the helper removes its interface and exits at once; past this, SIGKILL. */
export const HELPER_EXIT_GRACE_MS = 3_000;
/** Keep this much of stderr for the error message when the helper dies young. */
const STDERR_TAIL_CHARS = 2_000;
/** A single stderr "line" longer than this is cut: the helper's lines are short sentences. */
const MAX_LOG_LINE = 1_000;

export interface HelperLog {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/**
 * Candidate locations of the binary, first match wins: beside the running bundle
 * (dist/cli/lanrage.js → dist/helper/), then the repository's dist/ when running from source
 * (src-main/core/helper/ → dist/helper/).
 */
function defaultCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [
    join(here, '..', 'helper', HELPER_BINARY_NAME),
    join(here, '..', '..', '..', HELPER_BUILD_DIR, HELPER_BINARY_NAME),
  ];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The helper binary's absolute path: `explicit` (config/flag) when given, else $LANRAGE_HELPER,
 * else the build output. A missing binary is an error that says how to build it.
 */
export function resolveHelperPath(
  explicit: string | null = null,
  env: NodeJS.ProcessEnv = process.env,
  candidates: string[] = defaultCandidates(),
): string {
  const chosen = explicit ?? env[HELPER_PATH_ENV] ?? null;
  if (chosen !== null) {
    const path = isAbsolute(chosen) ? chosen : resolve(chosen);
    if (executable(path)) return path;
    throw new HelperError(
      'not-built',
      `the WireGuard helper ${path} does not exist or is not executable`,
    );
  }
  const found = candidates.find(executable);
  if (found) return resolve(found);
  throw new HelperError(
    'not-built',
    `the WireGuard helper (${HELPER_BINARY_NAME}) is not built: run \`npm run build\` ` +
      `(building from source needs the Go toolchain, https://go.dev/dl/); looked in ${candidates.join(', ')}`,
  );
}

export interface HelperSpawnOptions {
  binaryPath: string;
  /**
   * Command words put before the binary to run it privileged while we are not, e.g. ['pkexec']
   * or ['sudo', '-n']. Empty: run it directly (we are root, or it has the capability itself).
   */
  elevation?: readonly string[];
  log: HelperLog;
  /** Called once when the process ends, whoever ended it. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, stderrTail: string) => void;
}

export class HelperProcess {
  private stderrTail = '';
  private partialLine = '';
  private closing = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    private readonly o: HelperSpawnOptions,
  ) {
    child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    // A write after the helper died must not kill us: the exit is reported through onExit.
    child.stdin.on('error', () => {});
    this.exited = new Promise((done) => {
      child.once('close', (code, signal) => {
        if (this.partialLine) this.logLine(this.partialLine);
        o.onExit?.(code, signal, this.stderrTail);
        done({ code, signal });
      });
    });
  }

  /** Starts the helper; resolves once the OS has started it (not once it is ready: see hello). */
  static async spawn(o: HelperSpawnOptions): Promise<HelperProcess> {
    const [file, ...args] = [...(o.elevation ?? []), o.binaryPath];
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok);
      child.once('error', (error: NodeJS.ErrnoException) =>
        fail(
          new HelperError(
            'spawn-failed',
            `cannot start ${file}: ${error.code === 'ENOENT' ? 'not found' : error.message}`,
            null,
            { cause: error },
          ),
        ),
      );
    });
    return new HelperProcess(child, o);
  }

  get stdin(): Writable {
    return this.child.stdin;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the helper wrote to stderr last (for error messages). */
  get recentStderr(): string {
    return this.stderrTail;
  }

  /**
   * Ends the helper: EOF on its stdin (it removes its interface and exits), then SIGKILL after
   * HELPER_EXIT_GRACE_MS. An elevated helper may not be ours to signal; EOF still reaches it.
   */
  async stop(): Promise<void> {
    this.closing = true;
    if (!this.running) {
      await this.exited;
      return;
    }
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), HELPER_EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  get stopping(): boolean {
    return this.closing;
  }

  private onStderr(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    this.partialLine += text;
    let nl: number;
    while ((nl = this.partialLine.indexOf('\n')) >= 0) {
      this.logLine(this.partialLine.slice(0, nl));
      this.partialLine = this.partialLine.slice(nl + 1);
    }
    if (this.partialLine.length > MAX_LOG_LINE) {
      this.logLine(this.partialLine);
      this.partialLine = '';
    }
  }

  /**
   * The helper logs `time=… level=… msg="…" key=value…` (Go's slog text format): our logger adds
   * its own time, the helper's level picks ours, the rest is kept as it came. Other lines (sudo's,
   * pkexec's) are logged as warnings: they only speak when something is wrong.
   */
  private logLine(line: string): void {
    const text = line.trimEnd().slice(0, MAX_LOG_LINE);
    if (!text) return;
    const slog = /^time=\S+ level=(\w+) (.*)$/.exec(text);
    if (!slog) {
      this.o.log.warn(text);
      return;
    }
    const level = slog[1]!.toUpperCase();
    // msg="interface open" interface=lr0 → interface open interface=lr0
    const rest = slog[2]!.replace(
      /^msg=(?:"((?:[^"\\]|\\.)*)"|(\S+))/,
      (_, q?: string, w?: string) => (q !== undefined ? q.replace(/\\(.)/g, '$1') : (w ?? '')),
    );
    if (level === 'ERROR' || level === 'WARN') this.o.log.warn(rest);
    else if (level === 'DEBUG') this.o.log.debug?.(rest);
    else this.o.log.info(rest);
  }
}
