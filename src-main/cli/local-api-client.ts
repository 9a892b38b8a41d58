import { connect } from 'node:net';
import type { LocalRequest, LocalResponse } from './local-api-protocol.js';

/** One request to the running `lanrage up`; rejects with a message a user can act on. */
export function callLocalApi(
  path: string,
  request: LocalRequest,
  timeoutMs = 15_000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`lanrage up did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      let response: LocalResponse;
      try {
        response = JSON.parse(buffer.slice(0, newline)) as LocalResponse;
      } catch {
        reject(new Error('lanrage up sent an unreadable answer'));
        return;
      }
      if (response.ok) resolve(response.result);
      else reject(new Error(response.error));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new Error(`LANrage is not running (no ${path}); start it with "lanrage up"`));
      } else if (error.code === 'EACCES') {
        reject(
          new Error(`${path} belongs to another user; run as the user who started "lanrage up"`),
        );
      } else reject(error);
    });
  });
}
