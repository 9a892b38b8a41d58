import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { startTestServer } from '../../../src-server/control/test-support.js';
import { temporaryCertificate } from '../../../src-server/control/tls-certificate.js';
import type { ControlServer } from '../../../src-server/control/control-server.js';
import { ControlClient } from './control-client.js';
import { controlTls, InsecureControlUrlError } from './control-tls.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tlsServer(): Promise<ControlServer> {
  const server = await startTestServer({ tls: temporaryCertificate() });
  cleanups.push(() => server.close());
  return server;
}

function client(url: string, pin: string | null, known: string | null, warnings: string[] = []) {
  const c = new ControlClient({
    url,
    privateKey: generateKeyPair().privateKey,
    requestTimeoutMs: 3_000,
    tls: controlTls({
      url,
      pin,
      knownServersPath: known,
      allowInsecure: false,
      warn: (m) => warnings.push(m),
    }),
  });
  cleanups.push(() => c.close());
  return c;
}

describe('control channel TLS', () => {
  it('logs in over wss to a server whose certificate matches the pin', async () => {
    const server = await tlsServer();
    expect(server.wsUrl).toMatch(/^wss:\/\//);
    const welcome = await client(server.wsUrl, server.fingerprint, null).connect();
    expect(welcome.party).toBeNull();
  });

  it('refuses, before logging in, a server whose certificate is not the pinned one', async () => {
    const server = await tlsServer();
    const other = await tlsServer();
    const c = client(server.wsUrl, other.fingerprint, null);
    await expect(c.connect()).rejects.toThrow(/not the pinned/);
    expect(c.state).toBe('closed');
  });

  it('sends an interceptor not one byte: the pin is checked before the upgrade request', async () => {
    const server = await tlsServer();
    // An active man in the middle: completes TLS with a certificate of its own and records
    // every byte the client sends it afterwards.
    const received: Buffer[] = [];
    const mitm = createTlsServer(temporaryCertificate(), (socket) => {
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => mitm.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => mitm.close(() => r())));
    const port = (mitm.address() as AddressInfo).port;
    const c = client(`wss://127.0.0.1:${port}/v1`, server.fingerprint, null);
    await expect(c.connect()).rejects.toThrow(/not the pinned/);
    // Give a late write every chance to arrive before counting.
    await new Promise((r) => setTimeout(r, 200));
    expect(Buffer.concat(received).length).toBe(0);
  });

  it('trusts a self-signed certificate on first use, then refuses a changed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanrage-tofu-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const known = join(dir, 'known-control-servers.json');
    const first = await tlsServer();
    const warnings: string[] = [];
    await client(first.wsUrl, null, known, warnings).connect();
    expect(warnings.join('\n')).toMatch(/on first use/);
    const host = new URL(first.wsUrl).host;
    expect(JSON.parse(readFileSync(known, 'utf8'))).toEqual({ [host]: first.fingerprint });
    // The same host:port now presents another certificate (an interceptor, or a new server).
    const port = first.port;
    await first.close();
    const second = await startTestServer({ tls: temporaryCertificate(), port });
    cleanups.push(() => second.close());
    await expect(client(second.wsUrl, null, known).connect()).rejects.toThrow(/CHANGED/);
  });

  it('refuses plain ws:// to a non-loopback host unless allowed', () => {
    expect(() =>
      controlTls({
        url: 'ws://control.example:7400/v1/ws',
        pin: null,
        knownServersPath: null,
        allowInsecure: false,
        warn: () => {},
      }),
    ).toThrow(InsecureControlUrlError);
    expect(
      controlTls({
        url: 'ws://127.0.0.1:7400/v1/ws',
        pin: null,
        knownServersPath: null,
        allowInsecure: false,
        warn: () => {},
      }),
    ).toBeNull();
  });
});
