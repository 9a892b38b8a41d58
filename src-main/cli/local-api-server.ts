import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { InvokeOutcome } from '../../src-shared/ipc/contract.js';
import {
  dispatchInvoke,
  type DispatchLogger,
  type InvokeHandlers,
} from '../../src-shared/ipc/contract-dispatch.js';
import { describeIssues } from '../../src-shared/ipc/describe-issues.js';
import { LocalFrameSchema, MAX_LOCAL_REQUEST_BYTES } from './local-api-protocol.js';

/** Serves the contract on a Unix socket; a bad line gets an error line and changes nothing. */
export async function startLocalApi(
  path: string,
  handlers: InvokeHandlers,
  logger: DispatchLogger,
): Promise<Server> {
  // A socket file left by a crashed `lanrage up` would make listen fail with EADDRINUSE.
  await unlink(path).catch(() => {});
  const server = createServer((socket) => serve(socket, handlers, logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}

function serve(socket: Socket, handlers: InvokeHandlers, logger: DispatchLogger): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LOCAL_REQUEST_BYTES) {
      reply(socket, bad(`request longer than ${MAX_LOCAL_REQUEST_BYTES} bytes`));
      socket.end();
      buffer = '';
      return;
    }
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      void answer(line, handlers, logger).then((response) => reply(socket, response));
    }
  });
}

async function answer(
  line: string,
  handlers: InvokeHandlers,
  logger: DispatchLogger,
): Promise<InvokeOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return bad('request is not valid JSON');
  }
  const frame = LocalFrameSchema.safeParse(json);
  if (!frame.success) return bad(describeIssues(frame.error));
  return dispatchInvoke(handlers, frame.data.channel, frame.data.request, logger);
}

function bad(message: string): InvokeOutcome {
  return { ok: false, error: { code: 'bad-request', message } };
}

function reply(socket: Socket, response: InvokeOutcome): void {
  if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
}
