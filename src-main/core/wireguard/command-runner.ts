import { execFile } from 'node:child_process';
import { explainCommandFailure } from './wireguard-error.js';

/**
 * Runs the network tools (`ip`, `wg`) without a shell, so no argument is ever interpreted.
 * `prefix` runs every command through another one first — `['ip', 'netns', 'exec', 'ns1']` puts
 * the driver inside a namespace, `['setpriv', '--reuid=nobody', …]` drops privilege in tests —
 * so the driver itself needs no namespace awareness.
 */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
}

export type RunCommand = (
  file: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<CommandResult>;

// `wg`/`ip` answer in milliseconds; 10 s only trips when the machine is wedged, and then a clear
// timeout beats a hang the user cannot explain.
const COMMAND_TIMEOUT_MS = 10_000;

export function commandRunner(prefix: readonly string[] = []): RunCommand {
  return (file, args, options = {}) => {
    const [head, ...prefixArgs] = prefix;
    const actualFile = head ?? file;
    const actualArgs = head === undefined ? [...args] : [...prefixArgs, file, ...args];
    return new Promise((resolve, reject) => {
      const child = execFile(
        actualFile,
        actualArgs,
        { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ stdout, stderr });
            return;
          }
          const errno = (error as NodeJS.ErrnoException).code;
          const spawnCode = typeof errno === 'string' ? errno : null;
          // `ip netns exec` reports a missing program itself, with exit 255 and this text.
          const missingBehindPrefix =
            head !== undefined && /No such file or directory/.test(stderr) && /exec/.test(stderr);
          reject(
            explainCommandFailure({
              file: spawnCode === 'ENOENT' ? actualFile : file,
              args,
              spawnCode: missingBehindPrefix ? 'ENOENT' : spawnCode,
              stderr,
              exitCode: typeof error.code === 'number' ? error.code : null,
              timedOut: error.killed === true && error.signal === 'SIGTERM',
            }),
          );
        },
      );
      // A command that exits without reading stdin would raise EPIPE; its exit status says all.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
    });
  };
}
