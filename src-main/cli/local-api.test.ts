import { mkdtempSync, statSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayStatus } from '../../src-shared/domain/core-status.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';
import { handlersWith } from '../../src-shared/ipc/testing/handlers-with.js';
import { callLocal } from './local-api-client.js';
import { startLocalApi } from './local-api-server.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const NEAR: RelayStatus = {
  id: 'near',
  endpoint: '198.19.1.2:7401',
  region: 'lab',
  latencyMs: 21,
  inUse: true,
  pinned: false,
  source: 'control',
};

async function serve(answer: unknown = [NEAR]) {
  const path = join(mkdtempSync(join(tmpdir(), 'lanrage-api-')), 'lanrage.sock');
  const seen: string[] = [];
  const warnings: string[] = [];
  const server = await startLocalApi(
    path,
    handlersWith({
      'relays:list': ({ measure }) => {
        seen.push(`relays:list measure=${measure}`);
        return answer as RelayStatus[];
      },
      'relays:use': ({ id }) => {
        seen.push(`relays:use ${id}`);
        throw new ServiceError('unknown-relay', `no relay "${id}"; known: near, far`);
      },
    }),
    { warn: (m) => warnings.push(m) },
  );
  servers.push(server);
  return { path, seen, warnings };
}

function rawRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(line));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\n')) {
        socket.end();
        resolve(data.trim());
      }
    });
    socket.on('error', reject);
  });
}

describe('the local API of lanrage up, a transport of the typed contract', () => {
  it('answers a contract call with the value, checked against the response schema', async () => {
    const { path, seen } = await serve();
    expect(await callLocal(path, 'relays:list', { measure: true })).toEqual([NEAR]);
    expect(seen).toEqual(['relays:list measure=true']);
  });

  it('creates its socket so only the same user can open it', async () => {
    const { path } = await serve();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('passes a handler error back with its code and sentence', async () => {
    const { path } = await serve();
    const error = await callLocal(path, 'relays:use', { id: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('unknown-relay');
    expect((error as ServiceError).message).toBe('no relay "nope"; known: near, far');
  });

  it('never sends a handler answer that breaks the contract: the CLI gets an internal error', async () => {
    const { path, warnings } = await serve([{ id: 'near' }]);
    const error = await callLocal(path, 'relays:list', { measure: false }).catch((e: unknown) => e);
    expect((error as ServiceError).code).toBe('internal');
    expect((error as ServiceError).message).toBe(
      'relays:list: internal error: the answer broke the contract',
    );
    expect(warnings.join('\n')).toMatch(/relays:list: handler answered outside the contract/);
  });

  it.each([
    ['not JSON', '{"channel":\n', 'not valid JSON'],
    ['an unknown channel', '{"channel":"disk:format"}\n', 'unknown channel'],
    ['an extra field', '{"channel":"relays:auto","sudo":true}\n', 'sudo'],
    [
      'a request outside the schema',
      '{"channel":"relays:use","request":{"id":7}}\n',
      'invalid request',
    ],
  ])('refuses %s without calling the handler', async (_name, line, reason) => {
    const { path, seen } = await serve();
    const answer = JSON.parse(await rawRequest(path, line)) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toBe('bad-request');
    expect(answer.error.message).toContain(reason);
    expect(seen).toEqual([]);
  });

  it('tells the user to start lanrage up when nothing listens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lanrage-api-')), 'lanrage.sock');
    await expect(callLocal(path, 'party:status')).rejects.toThrow(/not running.*lanrage up/);
  });
});
