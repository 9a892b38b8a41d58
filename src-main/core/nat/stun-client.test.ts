import stun from 'stun';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../time/clock.js';
import { StunClient } from './stun-client.js';

const { constants: C } = stun;

/** A clock whose time moves only when the test says so. */
function manualClock() {
  let now = 0;
  let timers: { at: number; callback: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    nowPrecise: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.callback();
    }
    now = until;
  };
  return { clock, advance };
}

function setup() {
  const { clock, advance } = manualClock();
  const sent: { data: Buffer; at: number; port: number; host: string }[] = [];
  let counter = 0;
  const client = new StunClient({
    send: (data, port, host) => sent.push({ data, at: clock.now(), port, host }),
    clock,
    // Deterministic ids: transaction n is twelve bytes of n.
    randomBytes: (n) => new Uint8Array(n).fill(++counter),
  });
  return { client, sent, advance };
}

function answerTo(request: Buffer, mapped = { host: '203.0.113.5', port: 6000 }) {
  const decoded = stun.decode(request);
  const m = stun.createMessage(C.STUN_BINDING_RESPONSE, decoded.transactionId);
  m.addXorAddress(mapped.host, mapped.port);
  return m.toBuffer();
}

const server = { host: '198.51.100.1', port: 3478 };
const from = { address: '198.51.100.1', port: 3478 };

describe('StunClient', () => {
  it('retransmits at 0, 250, 750 and 1750 ms and gives up at 2750 ms', async () => {
    const { client, sent, advance } = setup();
    let settled = false;
    const result = client.binding(server).then((r) => ((settled = true), r));
    advance(2749);
    await Promise.resolve();
    expect(sent.map((s) => s.at)).toEqual([0, 250, 750, 1750]);
    expect(settled).toBe(false);
    advance(1);
    expect(await result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(new Set(sent.map((s) => s.data.toString('hex'))).size).toBe(1); // same transaction
    expect(client.pendingCount).toBe(0);
  });

  it('resolves with the mapped address and stops retransmitting once answered', async () => {
    const { client, sent, advance } = setup();
    const result = client.binding(server);
    advance(300);
    expect(client.handle(answerTo(sent[0]!.data), from)).toBe(true);
    expect(await result).toEqual({
      ok: true,
      mapped: { host: '203.0.113.5', port: 6000 },
      responseOrigin: null,
      otherAddress: null,
      from: { host: '198.51.100.1', port: 3478 },
      rttMs: 300,
    });
    advance(5000);
    expect(sent).toHaveLength(2);
  });

  it('matches answers by transaction id, even from another address, and ignores strangers', async () => {
    const { client, sent } = setup();
    const first = client.binding(server);
    const second = client.binding(server);
    const stranger = stun.createMessage(C.STUN_BINDING_RESPONSE);
    stranger.addXorAddress('192.0.2.1', 1);
    expect(client.handle(stranger.toBuffer(), from)).toBe(false);
    expect(client.handle(Buffer.from('not stun at all'), from)).toBe(false);
    client.handle(answerTo(sent[1]!.data, { host: '192.0.2.2', port: 2 }), {
      address: '198.51.100.2',
      port: 3479,
    });
    expect(await second).toMatchObject({
      ok: true,
      mapped: { port: 2 },
      from: { host: '198.51.100.2' },
    });
    expect(client.pendingCount).toBe(1);
    expect(client.handle(answerTo(sent[1]!.data), from)).toBe(false); // duplicate of a finished one
    client.handle(answerTo(sent[0]!.data), from);
    expect(await first).toMatchObject({ ok: true, mapped: { port: 6000 } });
    expect(client.stats.discarded).toBe(3);
  });

  it('reports an error response with its real code', async () => {
    const { client, sent } = setup();
    const result = client.binding(server, { changeIp: true, changePort: true });
    const error = stun.createMessage(
      C.STUN_BINDING_ERROR_RESPONSE,
      stun.decode(sent[0]!.data).transactionId,
    );
    error.addError(420);
    client.handle(error.toBuffer(), from);
    expect(await result).toMatchObject({ ok: false, reason: 'error-response', code: 420 });
  });

  it('fails a transaction whose send throws, without throwing itself', async () => {
    const client = new StunClient({
      send: () => {
        throw new Error('network is unreachable');
      },
    });
    expect(await client.binding(server)).toMatchObject({ ok: false, reason: 'send-failed' });
  });

  it('ends open transactions when closed and refuses new ones', async () => {
    const { client } = setup();
    const open = client.binding(server);
    client.close();
    expect(await open).toMatchObject({ ok: false, reason: 'closed' });
    expect(await client.binding(server)).toMatchObject({ ok: false, reason: 'closed' });
  });
});
