import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreLogger, LOG_FILE_NAME } from './core-logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('core logger file modes', () => {
  it('creates the log 0600 in a 0700 directory', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lanrage-modes-')), 'config');
    dirs.push(dir);
    createCoreLogger({ level: 'info', configDir: dir, console: false }).info('hello');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, LOG_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing open directory and log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanrage-modes-'));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, LOG_FILE_NAME), 'old line\n', { mode: 0o644 });
    chmodSync(join(dir, LOG_FILE_NAME), 0o644);
    createCoreLogger({ level: 'info', configDir: dir, console: false });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, LOG_FILE_NAME)).mode & 0o777).toBe(0o600);
  });
});
