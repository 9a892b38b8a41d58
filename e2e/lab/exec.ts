import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Running commands for the lab, as root, with errors that say which command failed and what it
 * printed — a lab that fails with "exit 2" teaches nobody anything.
 */
export class LabCommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | string | null,
    readonly stdout = '',
  ) {
    super(
      `lab command failed: ${command} (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no error output'}`,
    );
    this.name = 'LabCommandError';
  }
}

// Lab commands (ip, nft, sysctl) finish in milliseconds; a wedged one should fail the run, not hang it.
const LAB_COMMAND_TIMEOUT_MS = 15_000;

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<ExecResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { timeout: LAB_COMMAND_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) resolve({ stdout, stderr });
        else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new LabCommandError(
              command,
              `${file} is not installed (apt-get install --no-install-recommends ${file})`,
              'ENOENT',
            ),
          );
        } else reject(new LabCommandError(command, stderr, error.code ?? null, stdout));
      },
    );
    // A command that exits without reading stdin would raise EPIPE here; its exit status says all.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/** Runs a command inside a network namespace. */
export function runIn(
  ns: string,
  file: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<ExecResult> {
  return run('ip', ['netns', 'exec', ns, file, ...args], options);
}

/** `ip -n ns …` for several commands, one `ip -batch` process instead of one per line. */
export async function ipBatch(ns: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', ['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the NAT lab needs root (network namespaces, nftables, TUN): run it with sudo');
  }
}

// How long a helper gets to print its readiness line before the lab gives up on it.
const HELPER_READY_TIMEOUT_MS = 10_000;

export interface StartedProcess {
  child: ChildProcess;
  /** Lines the process printed on stdout after "ready" (for probes that report as they go). */
  lines: AsyncIterableIterator<string>;
  stop(): Promise<void>;
}

/**
 * Spawns a long-running helper and waits for its first stdout line to equal `readyLine`.
 * Fails with the helper's stderr if it exits first.
 */
export async function startProcess(
  file: string,
  args: readonly string[],
  options: { readyLine?: string; stdin?: boolean } = {},
): Promise<StartedProcess> {
  const readyLine = options.readyLine ?? 'ready';
  const command = [file, ...args].join(' ');
  const child = spawn(file, [...args], {
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await Promise.race([
    lines.next().then((r) => (r.done ? null : r.value)),
    new Promise<null>((resolve) => child.once('error', () => resolve(null))),
    new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), HELPER_READY_TIMEOUT_MS).unref(),
    ),
  ]);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    }
  };
  if (first !== readyLine) {
    await stop();
    throw new LabCommandError(
      command,
      `did not print "${readyLine}" (got ${JSON.stringify(first)}): ${stderr}`,
      child.exitCode,
    );
  }
  return { child, lines, stop };
}
