import { spawn, type ChildProcess } from 'node:child_process';
import { explainCommandFailure, WireGuardError } from './wireguard-error.js';

/**
 * A `wireguard-go` daemon we own: started in the foreground (WG_PROCESS_FOREGROUND=1) as our
 * child rather than left to daemonize, so `down` can kill exactly the process it started and a
 * crash of the daemon is noticed instead of leaving a dead interface behind.
 */

// wireguard-go creates its TUN device and UAPI socket within ~100 ms; 5 s covers a loaded CI
// machine, and past that something is wrong and the user should hear about it.
export const WIREGUARD_GO_START_TIMEOUT_MS = 5_000;
// After SIGTERM wireguard-go closes the device and removes its socket at once; wait this long
// before SIGKILL so a clean exit gets to remove its socket file itself.
const STOP_GRACE_MS = 2_000;
// Keep the last lines of its output for error messages; wireguard-go is chatty at start.
const STDERR_KEEP_CHARS = 4_000;

export interface WireGuardGoStartOptions {
  ifname: string;
  wireguardGoPath: string;
  commandPrefix: readonly string[];
  /** Resolves true once the interface and its control socket exist. */
  isReady: () => Promise<boolean>;
  pollMs?: number;
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export class WireGuardGoProcess {
  private stopping = false;
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    onUnexpectedExit: WireGuardGoStartOptions['onUnexpectedExit'],
  ) {
    // wireguard-go logs to stdout (errors included), `ip netns exec` to stderr: keep both.
    const keep = (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEEP_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        if (!this.stopping) onUnexpectedExit?.(code, signal);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: WireGuardGoStartOptions): Promise<WireGuardGoProcess> {
    const [head, ...prefixArgs] = options.commandPrefix;
    const file = head ?? options.wireguardGoPath;
    const args =
      head === undefined
        ? ['-f', options.ifname]
        : [...prefixArgs, options.wireguardGoPath, '-f', options.ifname];
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WG_PROCESS_FOREGROUND: '1' },
    });
    let spawnError: NodeJS.ErrnoException | null = null;
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    const proc = new WireGuardGoProcess(child, options.onUnexpectedExit);
    const pollMs = options.pollMs ?? 20;
    const deadline = Date.now() + WIREGUARD_GO_START_TIMEOUT_MS;
    for (;;) {
      const failedSpawn = spawnError as NodeJS.ErrnoException | null;
      if (failedSpawn !== null || !proc.running) {
        await proc.exited;
        throw proc.startFailure(options, failedSpawn);
      }
      if (await options.isReady()) return proc;
      if (Date.now() > deadline) {
        await proc.stop();
        throw new WireGuardError(
          'timeout',
          `wireguard-go did not create ${options.ifname} within ${WIREGUARD_GO_START_TIMEOUT_MS} ms: ${proc.stderr.trim()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private startFailure(
    options: WireGuardGoStartOptions,
    spawnError: NodeJS.ErrnoException | null,
  ): WireGuardError {
    const missing = /exec of .* failed: No such file or directory|executable file not found/i.test(
      this.stderr,
    );
    const spawnCode = spawnError?.code ?? (missing ? 'ENOENT' : null);
    return explainCommandFailure({
      file:
        spawnError?.code === 'ENOENT' && options.commandPrefix.length > 0
          ? (options.commandPrefix[0] ?? '')
          : options.wireguardGoPath,
      args: ['-f', options.ifname],
      spawnCode,
      stderr: this.stderr,
      exitCode: this.child.exitCode,
      timedOut: false,
    });
  }

  /** Says the coming exit is ours (e.g. we are deleting its device), not a crash to report. */
  expectExit(): void {
    this.stopping = true;
  }

  /** SIGTERM, then SIGKILL if it lingers; resolves once the process is gone. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
