import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { describeZodError } from '../../src-shared/protocol/control-messages.js';
import {
  LocalRequestSchema,
  MAX_LOCAL_REQUEST_BYTES,
  type LocalRequest,
  type LocalResponse,
} from './local-api-protocol.js';

/** Serves local-api requests; each is validated, and a bad one gets an error line, nothing else. */
export type LocalHandler = (request: LocalRequest) => Promise<unknown>;

export async function startLocalApi(path: string, handle: LocalHandler): Promise<Server> {
  // A socket file left by a crashed `lanrage up` would make listen fail with EADDRINUSE.
  await unlink(path).catch(() => {});
  const server = createServer((socket) => serve(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}

function serve(socket: Socket, handle: LocalHandler): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LOCAL_REQUEST_BYTES) {
      reply(socket, { ok: false, error: `request longer than ${MAX_LOCAL_REQUEST_BYTES} bytes` });
      socket.end();
      return;
    }
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      void answer(line, handle).then((response) => reply(socket, response));
    }
  });
}

async function answer(line: string, handle: LocalHandler): Promise<LocalResponse> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'request is not valid JSON' };
  }
  const parsed = LocalRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  try {
    return { ok: true, result: await handle(parsed.data) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function reply(socket: Socket, response: LocalResponse): void {
  if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
}
