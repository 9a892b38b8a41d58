import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatchInvoke, type InvokeHandlers } from '../../src-shared/ipc/contract-dispatch.js';
import type { EventChannel, EventPayload } from '../../src-shared/ipc/contract.js';
import { describeIssues } from '../../src-shared/ipc/describe-issues.js';
import {
  MAX_WEB_FRAME_BYTES,
  PageFrameSchema,
  WEB_BRIDGE_PATH,
  type CoreFrame,
} from '../../src-shared/ipc/web-bridge-frames.js';
import { isLoopbackHost, type UiAddress } from './ui-address.js';

/**
 * Web mode: serves the built renderer and the contract over a WebSocket, for a browser on the
 * same machine (or, when asked, the network). Who may use the bridge:
 *   - the page must present the random token printed in the URL (`#token=…`, a fragment, so it
 *     never travels in a request line or a Referer);
 *   - the Host header must name this server (a DNS-rebinding page has another name);
 *   - the Origin must be this server's own origin (another site's page cannot connect).
 * Frames that are not JSON, not an invoke, or too big are refused, logged, and after
 * MAX_BAD_FRAMES the connection is closed: a misbehaving page costs us nothing more.
 */
export interface WebUiOptions {
  address: UiAddress;
  rendererDir: string;
  handlers: InvokeHandlers;
  /** Called with a publisher per connected page; returns its removal. */
  subscribe(
    publish: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void,
  ): () => void;
  /** The first pushes a page gets on connecting (the current state). */
  greet(publish: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void): void;
  logger: { warn(message: string): void; info(message: string): void };
  /** Tests pass a fixed token; otherwise 32 random bytes. */
  token?: string;
}

export interface WebUi {
  /** The address to open, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A page that sends this many bad frames is not our renderer: close it. */
const MAX_BAD_FRAMES = 10;
/** WebSocket close code 1008, "policy violation". */
const CLOSE_POLICY = 1008;
const TOKEN_BYTES = 32;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export async function startWebUi(o: WebUiOptions): Promise<WebUi> {
  const token = o.token ?? randomBytes(TOKEN_BYTES).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const server: Server = createServer((request, response) => {
    if (!hostAllowed(request, o.address)) {
      response.writeHead(421).end('wrong host\n');
      return;
    }
    serveStatic(o.rendererDir, request, response);
  });
  // No per-message deflate: on loopback it only burns CPU (a 32-member status is ~30 KB, once a
  // push), and compression over an authenticated channel invites CRIME-style leaks for nothing.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WEB_FRAME_BYTES,
    perMessageDeflate: false,
  });

  server.on('upgrade', (request, socket, head) => {
    const refuse = (status: number, why: string) => {
      o.logger.warn(`web ui: refused a bridge connection: ${why}`);
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n\r\n`);
    };
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname !== WEB_BRIDGE_PATH) return refuse(404, `path ${url.pathname}`);
    if (!hostAllowed(request, o.address)) return refuse(421, `host ${request.headers.host}`);
    if (request.headers.origin !== `http://${request.headers.host}`)
      return refuse(403, `origin ${String(request.headers.origin)}`);
    const offered = Buffer.from(url.searchParams.get('token') ?? '');
    if (offered.length !== tokenBytes.length || !timingSafeEqual(offered, tokenBytes))
      return refuse(401, 'wrong token');
    wss.handleUpgrade(request, socket, head, (ws) => connected(ws, o));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.address.port, o.address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = o.address.host.includes(':') ? `[${o.address.host}]` : o.address.host;
  return {
    url: `http://${hostInUrl}:${port}/#token=${token}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function connected(ws: WebSocket, o: WebUiOptions): void {
  let bad = 0;
  const send = (frame: CoreFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const publish = <E extends EventChannel>(channel: E, payload: EventPayload<E>) =>
    send({ t: 'event', channel, payload });
  const unsubscribe = o.subscribe(publish);
  ws.on('close', unsubscribe);
  ws.on('error', () => ws.terminate());
  const refuse = (why: string) => {
    bad++;
    o.logger.warn(`web ui: refused a frame: ${why}`);
    if (bad >= MAX_BAD_FRAMES) ws.close(CLOSE_POLICY, 'too many bad frames');
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return refuse('binary frame');
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return refuse('not JSON');
    }
    const frame = PageFrameSchema.safeParse(json);
    if (!frame.success) return refuse(describeIssues(frame.error).slice(0, 200));
    const { id, channel, request } = frame.data;
    void dispatchInvoke(o.handlers, channel, request, {
      warn: (m) => o.logger.warn(`web ui: ${m}`),
    }).then((outcome) => send({ t: 'result', id, outcome }));
  });
  o.greet(publish);
}

function hostAllowed(request: IncomingMessage, address: UiAddress): boolean {
  const host = request.headers.host;
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (name === address.host) return true;
  // Bound to loopback: any loopback name reaches the same socket.
  return address.loopback && isLoopbackHost(name);
}

function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): void {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  } catch {
    response.writeHead(400).end();
    return;
  }
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  let size = -1;
  try {
    if (file.startsWith(root + sep)) {
      const stat = statSync(file);
      size = stat.isFile() ? stat.size : -1;
    }
  } catch {
    size = -1;
  }
  if ((request.method !== 'GET' && request.method !== 'HEAD') || size < 0) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "frame-ancestors 'none'",
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}
