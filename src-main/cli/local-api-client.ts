import { connect } from 'node:net';
import {
  InvokeOutcomeSchema,
  invokeContract,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from '../../src-shared/ipc/contract.js';
import { describeIssues } from '../../src-shared/ipc/describe-issues.js';
import { ServiceError } from '../../src-shared/ipc/service-error.js';

/** lanrage up answers at once except `relays:list`, which measures every relay (a few seconds). */
const LOCAL_API_TIMEOUT_MS = 15_000;

/**
 * One call on the running `lanrage up`, typed by the contract: the answer is parsed with the
 * channel's response schema, never cast. Rejects with a message a user can act on.
 */
export async function callLocal<C extends InvokeChannel>(
  path: string,
  channel: C,
  ...[request]: InvokeRequest<C> extends undefined ? [] : [InvokeRequest<C>]
): Promise<InvokeResponse<C>> {
  const raw = await exchange(path, JSON.stringify({ channel, request }), LOCAL_API_TIMEOUT_MS);
  const outcome = InvokeOutcomeSchema.safeParse(raw);
  if (!outcome.success)
    throw new Error(`lanrage up answered outside the contract: ${describeIssues(outcome.error)}`);
  if (!outcome.data.ok) throw new ServiceError(outcome.data.error.code, outcome.data.error.message);
  const value = invokeContract[channel].response.safeParse(outcome.data.value);
  if (!value.success) {
    throw new Error(
      `lanrage up answered ${channel} outside the contract: ${describeIssues(value.error)}`,
    );
  }
  return value.data as InvokeResponse<C>;
}

/** Sends one line, resolves with the first JSON line back. */
export function exchange(path: string, line: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`lanrage up did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(line + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buffer.slice(0, newline)));
      } catch {
        reject(new Error('lanrage up sent an unreadable answer'));
      }
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
