import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import winston from 'winston';
import WebSocket from 'ws';
import { generateKeyPair, type KeyPair } from '../../src-common/crypto/x25519.js';
import { ControlClient } from '../../src-main/core/control/control-client.js';
import { authProof } from '../../src-common/crypto/control-auth.js';
import type { MemberInfo, ServerMessage } from '../../src-shared/protocol/control-messages.js';
import { DEV_RELAY_SECRET } from '../common/listen-address.js';
import { controlTls } from '../../src-main/core/control/control-tls.js';
import {
  startControlServer,
  type ControlServer,
  type ControlServerOptions,
} from './control-server.js';

/** Shared by this folder's tests (not a test itself): servers, clients and raw sockets. */

export const TEST_SECRET = Buffer.from(DEV_RELAY_SECRET, 'utf8');
export const silentLogger = () => winston.createLogger({ silent: true });

export function memberInfo(overrides: Partial<MemberInfo> = {}): MemberInfo {
  return {
    natType: 'port_restricted_cone',
    publicEndpoint: '198.51.100.7:41641',
    localCandidates: ['192.168.1.20:41641'],
    ...overrides,
  };
}

export async function startTestServer(
  options: Partial<ControlServerOptions> = {},
): Promise<ControlServer> {
  // Tests here log in many keys from 127.0.0.1 on a frozen clock: quotas and the per-address
  // cap are sized for real sources, so they are lifted unless a test sets its own.
  return startControlServer({
    relaySecret: TEST_SECRET,
    logger: silentLogger(),
    quotaScale: 1_000,
    maxConnectionsPerGroup: 10_000,
    ...options,
  });
}

/** A logged-in client library instance (the real one the core uses). */
export async function connectedClient(
  server: { wsUrl: string; fingerprint?: string | null },
  keys: KeyPair = generateKeyPair(),
  extra: Partial<ConstructorParameters<typeof ControlClient>[0]> = {},
): Promise<ControlClient> {
  const client = new ControlClient({
    url: server.wsUrl,
    // A TLS server is pinned by the fingerprint it printed, as a real client pins it.
    tls: controlTls({
      url: server.wsUrl,
      pin: server.fingerprint ?? null,
      knownServersPath: null,
      allowInsecure: false,
      warn: () => {},
    }),
    privateKey: keys.privateKey,
    requestTimeoutMs: 3_000,
    reconnectBaseMs: 50,
    reconnectMaxMs: 500,
    ...extra,
  });
  await client.connect();
  return client;
}

/** A raw WebSocket that records every server message, for sending what no good client would. */
export class RawSocket {
  readonly messages: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => {});
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers });
    const raw = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return raw;
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Waits until `count` messages have arrived (or the socket closed), up to 3 s. */
  async waitFor(count: number): Promise<ServerMessage[]> {
    const deadline = Date.now() + 3_000;
    while (this.messages.length < count && !this.closed) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.messages.length} of ${count} messages arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.messages;
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + 3_000;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Resolves when `predicate` holds, polling every 10 ms for up to `ms`. */
export async function eventually(predicate: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a raw socket and logs in with `keys`; returns it after the welcome. */
export async function rawLogin(
  url: string,
  keys: KeyPair,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const raw = await RawSocket.open(url, headers);
  const [hello] = await raw.waitFor(1);
  if (hello?.t !== 'hello') throw new Error('expected hello');
  const proof = authProof(
    keys.privateKey,
    hello.serverKey,
    hello.nonce,
    keys.publicKey,
    hello.serverKey,
  );
  raw.send(JSON.stringify({ t: 'auth', v: 1, publicKey: keys.publicKey, proof }));
  const [, welcome] = await raw.waitFor(2);
  if (welcome?.t !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
  return raw;
}

/** The control server as a child process (`node --import tsx main.ts`), as a restart test needs. */
export async function spawnControlServer(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{
  child: ChildProcess;
  url: string;
  wsUrl: string;
  serverKey: string;
  /** TLS certificate fingerprint, null when started with --no-tls. */
  fingerprint: string | null;
  stderr: () => string;
}> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  // e.g. LANRAGE_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" to profile the server.
  const nodeArgs = env.LANRAGE_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', main, ...args], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...env, LANRAGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  const m =
    /listening on (\S+) \(WebSocket (\S+), server key ([^,)]+)(?:, TLS fingerprint (\S+))?\)/.exec(
      line,
    );
  if (!m) throw new Error(`unexpected first line: ${line}`);
  return {
    child,
    url: m[1]!,
    wsUrl: m[2]!,
    serverKey: m[3]!,
    fingerprint: m[4] ?? null,
    stderr: () => stderr,
  };
}
