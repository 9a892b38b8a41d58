import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRelayBind,
  relayRouteFromGrant,
  type RelayRoute,
} from '../../src-main/core/relay/relay-frames-client.js';
import {
  encodeRelayData,
  parseRelayFrame,
  RelayFrameType,
} from '../../src-shared/protocol/relay-frames.js';
import { bindAtRelay, openClient, type TestClient } from '../../src-server/relay/relay-test-kit.js';
import {
  legitUser,
  MEMBER,
  pinnedClient,
  report,
  rssMb,
  runAttack,
  sendForged,
  startControl,
  startProcess,
  type ControlProcess,
  type ServerProcess,
} from './hostile-kit.js';

/**
 * The relay against a hostile internet: route-table exhaustion through the control server, a
 * BIND with a forged source address (raw socket), and a BIND recorded and replayed across a relay
 * restart — each while a legitimate user measures the control server and a legitimate pair uses
 * the relay.
 */

/** Small enough to fill in seconds if nothing stopped it: each party's share is 600/20 = 30,
 * and a party of 12 keys wants 66 routes. */
const RELAY_CAPACITY = 600;
const ATTACK_MS = 8_000;
const RSS_LIMIT_MB = 400;

let dir: string;
let control: ControlProcess;
let relay: ServerProcess;
let relayPort: number;
let metricsPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRelayProcess(): Promise<ServerProcess> {
  const { proc } = await startProcess(
    'src-server/relay/main.ts',
    [
      '--listen',
      `127.0.0.1:${relayPort}`,
      '--metrics',
      `127.0.0.1:${metricsPort}`,
      '--max-routes',
      String(RELAY_CAPACITY),
      '--control',
      control.url,
      '--control-fingerprint',
      control.fingerprint,
      '--id',
      'hostile-relay',
      '--dev',
    ],
    /listening on udp/,
  );
  return proc;
}

async function relayStats(): Promise<Record<string, unknown>> {
  return (await (await fetch(`http://127.0.0.1:${metricsPort}/stats`)).json()) as Record<
    string,
    unknown
  >;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lanrage-hostile-relay-'));
  control = await startControl(join(dir, 'control.db'));
  relayPort = await freeUdpPort();
  metricsPort = await freePort();
  relay = await startRelayProcess();
});

afterAll(async () => {
  await relay?.stop();
  await control?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two members of one new party (from `source`), each with its route grant for the other. */
async function pairRoutes(source: string): Promise<[RelayRoute, RelayRoute]> {
  const a = pinnedClient(control, source);
  const b = pinnedClient(control, source);
  try {
    await a.connect();
    const { party } = await a.request('party.create', {
      partyName: 'pair',
      memberName: 'a',
      member: MEMBER,
    });
    await b.connect();
    await b.request('party.join', {
      inviteCode: party.inviteCode,
      memberName: 'b',
      member: MEMBER,
    });
    const routes = await Promise.all([
      a.request('route.token', { partyId: party.id, peer: b.publicKey }),
      b.request('route.token', { partyId: party.id, peer: a.publicKey }),
    ]);
    return routes.map((g) => {
      const r = relayRouteFromGrant(g);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    }) as [RelayRoute, RelayRoute];
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** A legitimate pair binds both sides and passes DATA both ways. */
async function legitPairWorks(source: string): Promise<boolean> {
  const [ra, rb] = await pairRoutes(source);
  const a = await openClient(source);
  const b = await openClient(source);
  try {
    await bindAtRelay(a, relayPort, ra);
    await bindAtRelay(b, relayPort, rb);
    const frame = Buffer.from(encodeRelayData(ra.routeId, Buffer.from('legit')));
    await a.send(frame, relayPort);
    return (await b.next()).equals(frame);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

function isData(packet: Buffer): boolean {
  const f = parseRelayFrame(packet);
  return f.ok && f.value.type === RelayFrameType.Data;
}

describe('the relay under attack', () => {
  it('holds route-table exhaustion to each party’s share, and a new pair still gets in', async () => {
    const user = legitUser(control);
    const attack = await runAttack<Record<string, unknown>>('routes', {
      control: { wsUrl: control.wsUrl, fingerprint: control.fingerprint },
      relay: { host: '127.0.0.1', port: relayPort },
      sources: ['127.0.0.70', '127.0.0.71', '127.0.0.72', '127.0.0.73'],
      keysPerSource: 12,
      durationMs: ATTACK_MS,
    });
    const stats = await relayStats();
    const pairOk = await legitPairWorks('127.0.1.100');
    const legit = await user.stop();
    const rss = { control: rssMb(control.child.pid!), relay: rssMb(relay.child.pid!) };
    report('route-table exhaustion from 4 sources', {
      attack,
      relay: {
        routesActive: stats.routesActive,
        capacity: RELAY_CAPACITY,
        refusalsSent: stats.refusalsSent,
      },
      legitPairBoundAndForwarded: pairOk,
      legit,
      rssMb: rss,
    });
    expect(pairOk).toBe(true);
    // Four parties, 30 routes each at most, whatever the number of keys and grants.
    expect(stats.routesActive as number).toBeLessThanOrEqual(4 * 30);
    expect(legit.healthFailed + legit.joinFailed).toBe(0);
    expect(rss.relay).toBeLessThan(RSS_LIMIT_MB);
    expect(rss.control).toBeLessThan(RSS_LIMIT_MB);
  });

  it('sends a victim whose address is forged in a BIND not one forwarded byte', async () => {
    const [ra, rb] = await pairRoutes('127.0.0.80');
    const attacker = await openClient('127.0.0.80');
    const victim = dgram.createSocket('udp4');
    const victimGot: Buffer[] = [];
    victim.on('message', (m) => victimGot.push(m));
    await new Promise<void>((r) => victim.bind(0, '127.0.0.77', r));
    const victimPort = victim.address().port;
    const user = legitUser(control);
    let dataSent = 0;
    let forgedBinds = 0;
    try {
      // The attacker's side A is really bound (it holds both side keys: its own pair).
      await bindAtRelay(attacker, relayPort, ra);
      const deadline = Date.now() + ATTACK_MS / 2;
      while (Date.now() < deadline) {
        // Side B claimed for the victim's address with fresh, validly MACed BINDs…
        const forged = Array.from({ length: 10 }, (_, i) => {
          const bind = buildRelayBind(rb, BigInt(Date.now()) * 1000n + BigInt(i));
          return ['127.0.0.77', victimPort, bind] as [string, number, Buffer];
        });
        sendForged('127.0.0.1', relayPort, forged);
        forgedBinds += forged.length;
        // …then DATA from side A that would go to the victim if the relay had bound it there.
        for (let i = 0; i < 200; i++) {
          await attacker.send(
            Buffer.from(encodeRelayData(ra.routeId, Buffer.alloc(1200, i))),
            relayPort,
          );
          dataSent++;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      victim.close();
      await attacker.close();
    }
    const legit = await user.stop();
    const dataToVictim = victimGot.filter(isData).length;
    const challenges = victimGot.filter((p) => {
      const f = parseRelayFrame(p);
      return f.ok && f.value.type === RelayFrameType.Challenge;
    });
    report('forged-source BIND (raw socket)', {
      forgedBinds,
      dataSentBySideA: dataSent,
      victim: {
        packets: victimGot.length,
        dataPackets: dataToVictim,
        bytes: victimGot.reduce((n, p) => n + p.length, 0),
        challenges: challenges.length,
        largestPacket: Math.max(0, ...victimGot.map((p) => p.length)),
      },
      legit,
      rssMb: { relay: rssMb(relay.child.pid!) },
    });
    // Not one forwarded byte; the only thing it can get is the return-routability CHALLENGE
    // (54 bytes, smaller than the 84-byte BIND), capped per destination.
    expect(dataToVictim).toBe(0);
    expect(challenges.length).toBe(victimGot.length);
    expect(challenges.length).toBeLessThanOrEqual(32 + 2 * (ATTACK_MS / 2000 + 1));
    expect(legit.healthFailed + legit.joinFailed).toBe(0);
  });

  it('gives a BIND replayed across a relay restart nothing of the route', async () => {
    const [ra, rb] = await pairRoutes('127.0.1.120');
    const a = await openClient('127.0.1.120');
    const b = await openClient('127.0.1.121');
    const thief: TestClient = await openClient('127.0.0.90');
    const user = legitUser(control);
    try {
      await bindAtRelay(a, relayPort, ra);
      await bindAtRelay(b, relayPort, rb);
      // What a sniffer on A's path recorded: A's last BIND (with its cookie).
      const recorded = a.sent.at(-1)!;
      await relay.stop();
      relay = await startRelayProcess();
      // B comes back as a real client would; A has not yet.
      await bindAtRelay(b, relayPort, rb);
      for (let i = 0; i < 20; i++) await thief.send(recorded, relayPort);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 1000; i++) {
        await b.send(
          Buffer.from(encodeRelayData(rb.routeId, Buffer.alloc(200, i % 256))),
          relayPort,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
      const stats = await relayStats();
      const legit = await user.stop();
      const thiefData = thief.received.filter(isData).length;
      report('BIND replayed across a relay restart', {
        replays: 20,
        dataSentByB: 1000,
        thief: { packets: thief.received.length, dataPackets: thiefData },
        relayDrops: stats.drops,
        legit,
      });
      expect(thiefData).toBe(0);
      expect(legit.healthFailed + legit.joinFailed).toBe(0);
      // A itself binds again and the route works.
      await bindAtRelay(a, relayPort, ra);
      const frame = Buffer.from(encodeRelayData(rb.routeId, Buffer.from('after restart')));
      await b.send(frame, relayPort);
      expect((await a.next()).equals(frame) || a.received.some((p) => p.equals(frame))).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), thief.close()]);
    }
  });
});
