import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRelayData } from '../../../src-shared/protocol/relay-frames.js';
import { createDatagramRouter } from '../net/datagram-router.js';
import { UdpMux } from './udp-mux.js';

/** A stand-in for WireGuard's own UDP socket: the mux only needs a loopback port to talk to. */
async function fakeWireGuard(): Promise<{
  socket: Socket;
  port: number;
  next: () => Promise<[Buffer, number]>;
}> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const queue: [Buffer, number][] = [];
  const waiters: ((v: [Buffer, number]) => void)[] = [];
  socket.on('message', (msg, rinfo) => {
    const w = waiters.shift();
    if (w) w([msg, rinfo.port]);
    else queue.push([msg, rinfo.port]);
  });
  return {
    socket,
    port: socket.address().port,
    next: () =>
      new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve))),
  };
}

const wgData = (n: number) => Buffer.from([4, 0, 0, 0, n, n, n, n]);
const routeId = Buffer.from('0102030405060708', 'hex');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function pair() {
  const a = await UdpMux.open(0, { host: '127.0.0.1' });
  const b = await UdpMux.open(0, { host: '127.0.0.1' });
  const wgA = await fakeWireGuard();
  const wgB = await fakeWireGuard();
  a.setWireGuardPort(wgA.port);
  b.setWireGuardPort(wgB.port);
  const aPortForB = await a.addPeer('B');
  const bPortForA = await b.addPeer('A');
  cleanup.push(
    () => a.close(),
    () => b.close(),
    () => void wgA.socket.close(),
    () => void wgB.socket.close(),
  );
  return { a, b, wgA, wgB, aPortForB, bPortForA };
}

describe('UdpMux', () => {
  it('carries WireGuard packets both ways on a direct path', async () => {
    const { a, b, wgA, wgB, aPortForB, bPortForA } = await pair();
    a.setPath('B', { kind: 'direct', host: '127.0.0.1', port: b.localPort });
    b.setPath('A', { kind: 'direct', host: '127.0.0.1', port: a.localPort });

    wgA.socket.send(wgData(1), aPortForB, '127.0.0.1');
    const [atB, fromPortB] = await wgB.next();
    expect([...atB]).toEqual([...wgData(1)]);
    expect(fromPortB).toBe(bPortForA);

    wgB.socket.send(wgData(2), bPortForA, '127.0.0.1');
    const [atA, fromPortA] = await wgA.next();
    expect([...atA]).toEqual([...wgData(2)]);
    expect(fromPortA).toBe(aPortForB);
  });

  it('wraps packets in relay DATA frames on a relay path and unwraps what the relay returns', async () => {
    const { a, b, wgA, wgB, aPortForB } = await pair();
    // The relay forwards DATA frames unchanged; this stand-in forwards A's frames to B.
    const relay = createSocket('udp4');
    await new Promise<void>((r) => relay.bind(0, '127.0.0.1', () => r()));
    cleanup.push(() => void relay.close());
    relay.on('message', (msg) => relay.send(msg, b.localPort, '127.0.0.1'));
    const relayPort = relay.address().port;
    a.setPath('B', { kind: 'relay', host: '127.0.0.1', port: relayPort, routeId });
    b.setPath('A', { kind: 'relay', host: '127.0.0.1', port: relayPort, routeId });

    wgA.socket.send(wgData(3), aPortForB, '127.0.0.1');
    const [atB] = await wgB.next();
    expect([...atB]).toEqual([...wgData(3)]);
    expect(a.stats.wireguardOut).toBe(1);
    expect(b.stats.wireguardIn).toBe(1);
  });

  it('moves a peer from relay to direct without WireGuard noticing', async () => {
    const { a, b, wgA, wgB, aPortForB, bPortForA } = await pair();
    a.setPath('B', { kind: 'relay', host: '127.0.0.1', port: 9, routeId });
    a.setPath('B', { kind: 'direct', host: '127.0.0.1', port: b.localPort });
    b.setPath('A', { kind: 'direct', host: '127.0.0.1', port: a.localPort });
    wgA.socket.send(wgData(5), aPortForB, '127.0.0.1');
    const [, from] = await wgB.next();
    expect(from).toBe(bPortForA);
  });

  it('resends the handshake WireGuard sent before there was a path, once a path is proven', async () => {
    const { a, b, wgA, wgB, aPortForB } = await pair();
    const initiation = Buffer.alloc(148);
    initiation[0] = 1;
    initiation[4] = 42;
    wgA.socket.send(initiation, aPortForB, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 50));
    expect(a.stats.droppedNoPath).toBe(1);
    a.setPath('B', { kind: 'direct', host: '127.0.0.1', port: b.localPort });
    b.setPath('A', { kind: 'direct', host: '127.0.0.1', port: a.localPort });
    a.resendHandshake('B');
    const [atB] = await wgB.next();
    expect(atB.equals(initiation)).toBe(true);
    a.resendHandshake('B');
    await new Promise((r) => setTimeout(r, 50));
    expect(b.stats.wireguardIn).toBe(1);
  });

  it('drops WireGuard packets from an address no peer uses', async () => {
    const { a } = await pair();
    const stranger = createSocket('udp4');
    cleanup.push(() => void stranger.close());
    stranger.send(wgData(9), a.localPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 50));
    expect(a.stats.droppedUnknownSource).toBe(1);
    expect(a.stats.wireguardIn).toBe(0);
  });

  it('hands STUN, probes (direct or inside a route) and relay control frames up to the core', async () => {
    const seen: string[] = [];
    const mux = await UdpMux.open(0, { host: '127.0.0.1' });
    mux.listen(
      createDatagramRouter({
        stun: { handle: () => seen.push('stun') },
        probes: { handle: (_p, _f, via) => void seen.push(`probe via ${via ?? 'direct'}`) },
        relayControl: { handle: () => void seen.push('relay control') },
      }).listener,
    );
    cleanup.push(() => mux.close());
    const s = createSocket('udp4');
    cleanup.push(() => void s.close());
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(1, 0);
    stun.writeUInt32BE(0x2112a442, 4);
    const probe = Buffer.alloc(57);
    Buffer.from([0xff, 0x4c, 0x52, 0x50, 1, 1]).copy(probe);
    const ack = Buffer.alloc(39);
    Buffer.from([0xff, 0x4c, 0x52, 0x52, 1, 2]).copy(ack);
    for (const packet of [stun, probe, ack, Buffer.from(encodeRelayData(routeId, probe))]) {
      s.send(packet, mux.localPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toEqual([
      'stun',
      'probe via direct',
      'relay control',
      'probe via 0102030405060708',
    ]);
  });
});
