import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { parseEndpoint, formatEndpoint } from '../../src-shared/domain/endpoint.js';
import { encodeEchoRequest, parseEchoReply, type ReplyFrom, REPLY_FROM } from './echo-protocol.js';

/**
 * A UDP player stand-in run inside a namespace: `node --import tsx udp-agent.ts <bindPort>`.
 * It owns ONE socket — as the core will, since a NAT maps each local socket separately — and
 * obeys JSON commands on stdin, one answer line on stdout per command (see udp-agent-client.ts):
 *
 *   {"op":"ask","to":"198.18.0.20:3478","replyFrom":"same","timeoutMs":800}
 *       → {"ok":true,"mapped":"198.18.0.101:40000","via":"198.18.0.20:3478"} | {"ok":false,"error":"timeout"}
 *   {"op":"send","to":"ip:port","text":"hi"}              → {"ok":true}
 *   {"op":"receive","timeoutMs":800}                       → {"ok":true,"from":"ip:port","text":"hi"} | timeout
 *   {"op":"info"}                                          → {"ok":true,"port":40000}
 */
const bindPort = Number(process.argv[2] ?? '0');
const socket = createSocket('udp4');
const inbox: { from: string; text: string }[] = [];
const waiters: (() => void)[] = [];
const pendingAsks = new Map<string, (line: string) => void>();
let nextId = 0;

socket.on('message', (message, rinfo) => {
  const reply = parseEchoReply(message);
  const resolve = reply.ok ? pendingAsks.get(reply.value.id) : undefined;
  if (reply.ok && resolve) {
    pendingAsks.delete(reply.value.id);
    resolve(
      JSON.stringify({
        ok: true,
        mapped: formatEndpoint(reply.value.mapped),
        via: formatEndpoint(reply.value.via),
      }),
    );
    return;
  }
  inbox.push({ from: `${rinfo.address}:${rinfo.port}`, text: message.toString('utf8') });
  waiters.splice(0).forEach((wake) => wake());
});

function timeout(ms: unknown): number {
  return typeof ms === 'number' && ms > 0 && ms < 60_000 ? ms : 1_000;
}

async function handle(command: Record<string, unknown>): Promise<string> {
  const to = typeof command.to === 'string' ? parseEndpoint(command.to) : null;
  switch (command.op) {
    case 'info':
      return JSON.stringify({ ok: true, port: socket.address().port });
    case 'ask': {
      if (!to?.ok) return JSON.stringify({ ok: false, error: 'ask needs "to": "ip:port"' });
      const replyFrom = (REPLY_FROM as readonly unknown[]).includes(command.replyFrom)
        ? (command.replyFrom as ReplyFrom)
        : 'same';
      const id = `a${nextId++}`;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pendingAsks.delete(id);
          resolve(JSON.stringify({ ok: false, error: 'timeout' }));
        }, timeout(command.timeoutMs));
        pendingAsks.set(id, (line) => {
          clearTimeout(timer);
          resolve(line);
        });
        socket.send(encodeEchoRequest({ id, replyFrom }), to.value.port, to.value.host);
      });
    }
    case 'send':
      if (!to?.ok) return JSON.stringify({ ok: false, error: 'send needs "to": "ip:port"' });
      socket.send(String(command.text ?? ''), to.value.port, to.value.host);
      return JSON.stringify({ ok: true });
    case 'receive': {
      const deadline = Date.now() + timeout(command.timeoutMs);
      while (inbox.length === 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const message = inbox.shift();
      return JSON.stringify(message ? { ok: true, ...message } : { ok: false, error: 'timeout' });
    }
    default:
      return JSON.stringify({ ok: false, error: `unknown op ${String(command.op)}` });
  }
}

socket.bind(bindPort, () => {
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      let command: unknown;
      try {
        command = JSON.parse(line);
      } catch {
        command = null;
      }
      const answer =
        typeof command === 'object' && command !== null
          ? await handle(command as Record<string, unknown>)
          : JSON.stringify({ ok: false, error: 'command is not a JSON object' });
      process.stdout.write(`${answer}\n`);
    });
  });
  lines.on('close', () => {
    void queue.then(() => process.exit(0));
  });
});
