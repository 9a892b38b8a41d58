import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../src-server/control/control-server.js';
import { EXIT } from './up-command.js';

/** The real `lanrage` command, as a process: its messages and exit codes are its interface. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRoot = process.getuid?.() === 0;

function lanrage(
  args: string[],
  env: Record<string, string> = {},
  asNobody = false,
): Promise<{ code: number | null; out: string; err: string }> {
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), ...args];
  const argv = asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', ...node]
    : node;
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const configDir = () => mkdtempSync(join(tmpdir(), 'lanrage-cli-'));

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let control: ControlServer;
beforeAll(async () => {
  control = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    relaySecret: Buffer.from('cli-test-secret-0123456789'),
  });
});
afterAll(async () => {
  await control.close();
});

describe('lanrage', () => {
  it('prints its usage and exits 2 without a command', async () => {
    const r = await lanrage([]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toContain('lanrage up --control URL');
  });

  it('refuses up with both --create and --join', async () => {
    const r = await lanrage(['up', '--create', 'a', '--join', 'b', '--config-dir', configDir()]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('exactly one of --create PARTY or --join CODE');
  });

  it('names the config field that is wrong', async () => {
    const r = await lanrage([
      'up',
      '--create',
      'a',
      '--control',
      'ftp://x',
      '--config-dir',
      configDir(),
    ]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('controlUrl');
  });

  it('says LANrage is not running when asked for status with no lanrage up', async () => {
    const r = await lanrage(['status', '--json', '--config-dir', configDir()]);
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(/not running.*lanrage up/);
  });

  it('says how to get the WireGuard helper when it is missing', async () => {
    const r = await lanrage(['up', '--create', 'a', '--name', 'x', '--config-dir', configDir()], {
      LANRAGE_HELPER: '/nonexistent/lanrage-helper',
    });
    expect(r.code).toBe(EXIT.noWireGuard);
    expect(r.err).toContain(
      'lanrage: the WireGuard helper /nonexistent/lanrage-helper does not exist or is not executable',
    );
  });

  it('exits 6 when the helper elevation command does not exist', async () => {
    const r = await lanrage([
      'up',
      '--create',
      'a',
      '--name',
      'x',
      '--helper-elevation',
      'no-such-sudo -n',
      '--config-dir',
      configDir(),
    ]);
    expect(r.code).toBe(EXIT.noPrivilege);
    expect(r.err).toContain('the helper elevation command "no-such-sudo" is not installed');
  });

  it.runIf(isRoot)('exits 3 when the control server is unreachable', async () => {
    const port = await closedPort();
    const r = await lanrage([
      'up',
      '--control',
      `http://127.0.0.1:${port}`,
      '--name',
      'x',
      '--create',
      'p',
      '--config-dir',
      configDir(),
    ]);
    expect(r.code).toBe(EXIT.controlUnreachable);
    expect(r.err).toContain('unreachable');
  });

  it.runIf(isRoot)('exits 4 on an invite code no party has', async () => {
    const r = await lanrage([
      'up',
      '--control',
      control.url,
      '--name',
      'x',
      '--join',
      'ZZZZZ-ZZZZZ',
      '--config-dir',
      configDir(),
      '--interface',
      'lrclitest0',
    ]);
    expect(r.code).toBe(EXIT.badInvite);
    expect(r.err).toContain('bad invite code');
  });

  it.runIf(isRoot)('exits 4 on an invite code that is not even well-formed', async () => {
    const r = await lanrage([
      'up',
      '--control',
      control.url,
      '--name',
      'x',
      '--join',
      'hello',
      '--config-dir',
      configDir(),
      '--interface',
      'lrclitest0',
    ]);
    expect(r.code).toBe(EXIT.badInvite);
    expect(r.err).toContain('letters and digits');
  });

  it('exits 6 without the privilege to create an interface', async () => {
    // As root, drop to nobody with no capabilities: the test means the same for every user.
    const dir = configDir();
    chmodSync(dir, 0o777);
    const r = await lanrage(
      ['up', '--create', 'a', '--name', 'x', '--config-dir', dir],
      {},
      isRoot,
    );
    expect(r.code).toBe(EXIT.noPrivilege);
    expect(r.err).toContain('not enough privilege');
  });
});
