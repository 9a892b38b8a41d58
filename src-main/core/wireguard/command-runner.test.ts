import { describe, expect, it } from 'vitest';
import { commandRunner } from './command-runner.js';
import { explainCommandFailure, WireGuardError } from './wireguard-error.js';

describe('commandRunner', () => {
  it('runs a real command and returns its output', async () => {
    const run = commandRunner();
    expect((await run('printf', ['%s', 'hello'])).stdout).toBe('hello');
  });

  it('runs every command behind the prefix', async () => {
    const run = commandRunner(['env', 'LANRAGE_TEST=1']);
    expect((await run('sh', ['-c', 'printf %s "$LANRAGE_TEST"'])).stdout).toBe('1');
  });

  it('passes input on stdin', async () => {
    expect((await commandRunner()('cat', [], { input: 'key\n' })).stdout).toBe('key\n');
  });

  it('says a missing tool is not installed and how to get it', async () => {
    const error = await commandRunner()('/nonexistent/wg', ['show']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireGuardError);
    expect((error as WireGuardError).kind).toBe('not-installed');
    expect((error as WireGuardError).message).toMatch(/wg is not available.*wireguard-tools/);
  });

  it('reports a failing command with its stderr', async () => {
    const error = await commandRunner()('sh', ['-c', 'echo broken >&2; exit 3']).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'command-failed' });
    expect((error as Error).message).toMatch(/exit 3.*broken/);
  });
});

describe('explainCommandFailure', () => {
  const base = { file: 'ip', args: ['link', 'add'], spawnCode: null, exitCode: 2, timedOut: false };

  it.each([
    'RTNETLINK answers: Operation not permitted',
    'Unable to access interface: Permission denied',
    'ERROR: (lanrage0) Failed to create TUN device: permission denied',
  ])('maps "%s" to a privilege error', (stderr) => {
    const error = explainCommandFailure({ ...base, stderr });
    expect(error.kind).toBe('permission-denied');
    expect(error.message).toMatch(/not enough privilege.*CAP_NET_ADMIN/);
  });

  it('maps a timeout to a timeout error', () => {
    expect(explainCommandFailure({ ...base, stderr: '', timedOut: true }).kind).toBe('timeout');
  });

  it('names the package for a missing wireguard-go', () => {
    const error = explainCommandFailure({
      ...base,
      file: 'wireguard-go',
      spawnCode: 'ENOENT',
      stderr: '',
    });
    expect(error.message).toMatch(/apt install wireguard-go/);
  });
});
