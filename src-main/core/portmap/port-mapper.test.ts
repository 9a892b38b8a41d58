import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-common/logging/logger.js';
import { FakeClock } from '../time/fake-clock.js';
import { systemClock } from '../time/clock.js';
import type { MappedPort, MappingProtocol, MappingProtocolName } from './mapping-protocol.js';
import { NatPmpClient } from './nat-pmp-client.js';
import { PcpClient } from './pcp-client.js';
import { externalAddressProblem, PortMapper, type PortMapping } from './port-mapper.js';
import { natPmpAnswer, startFakeRouter, type FakeRouter } from './testing/fake-router.js';

const routers: FakeRouter[] = [];
afterEach(async () => {
  for (const r of routers.splice(0)) await r.close();
});

/** A protocol whose router's behaviour the test scripts, one answer per call. */
function scripted(
  name: MappingProtocolName,
  answers: (MappedPort | Error)[],
): MappingProtocol & { maps: number; unmaps: number } {
  const p = {
    name,
    maps: 0,
    unmaps: 0,
    map: () => {
      const next = answers[Math.min(p.maps++, answers.length - 1)]!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    unmap: () => {
      p.unmaps++;
      return Promise.resolve();
    },
  };
  return p;
}

const mapped = (port: number, lifetimeS: number, routerRestarted = false): MappedPort => ({
  externalIp: '203.0.113.7',
  externalPort: port,
  lifetimeS,
  routerRestarted,
});

describe('PortMapper', () => {
  it('uses the first protocol that maps, in order, and says what the others answered', async () => {
    const clock = new FakeClock();
    const changes: (PortMapping | null)[] = [];
    const pcp = scripted('pcp', [new Error('no answer within 300 ms')]);
    const natPmp = scripted('nat-pmp', [mapped(40000, 7200)]);
    const mapper = new PortMapper({
      protocols: [pcp, natPmp],
      clock,
      log: silentLogger,
      onChange: (m) => changes.push(m),
    });
    mapper.start(51820);
    await clock.advance(0);
    expect(mapper.state).toBe('mapped');
    expect(changes).toEqual([
      {
        protocol: 'nat-pmp',
        externalIp: '203.0.113.7',
        externalPort: 40000,
        expiresAt: clock.now() + 7_200_000,
      },
    ]);
    expect(mapper.tried).toEqual([
      { protocol: 'pcp', error: 'no answer within 300 ms' },
      { protocol: 'nat-pmp', error: null },
    ]);
    await mapper.stop();
    expect(natPmp.unmaps).toBe(1);
    expect(pcp.unmaps).toBe(0);
    expect(changes.at(-1)).toBeNull();
  });

  it('renews at half the granted lifetime, and maps afresh when the router moved the port', async () => {
    const clock = new FakeClock();
    const changes: (PortMapping | null)[] = [];
    const pcp = scripted('pcp', [mapped(40000, 60), mapped(40000, 60), mapped(40001, 60, true)]);
    const mapper = new PortMapper({
      protocols: [pcp],
      clock,
      log: silentLogger,
      onChange: (m) => changes.push(m),
    });
    mapper.start(51820);
    await clock.advance(29_000);
    expect(pcp.maps).toBe(1);
    await clock.advance(1_000); // 30 s: half of 60 s
    expect(pcp.maps).toBe(2);
    expect(changes).toHaveLength(1); // the same port again: nothing to announce
    await clock.advance(30_000);
    expect(pcp.maps).toBe(3);
    expect(changes.map((m) => m?.externalPort)).toEqual([40000, 40001]);
    await mapper.stop();
  });

  it('falls back to every protocol when a renewal fails, and asks again later when none maps', async () => {
    const clock = new FakeClock();
    const pcp = scripted('pcp', [mapped(40000, 10), new Error('router refused'), new Error('x')]);
    const natPmp = scripted('nat-pmp', [new Error('no answer within 300 ms')]);
    const changes: (PortMapping | null)[] = [];
    const mapper = new PortMapper({
      protocols: [pcp, natPmp],
      clock,
      log: silentLogger,
      onChange: (m) => changes.push(m),
    });
    mapper.start(51820);
    await clock.advance(5_000);
    expect(mapper.state).toBe('unavailable');
    expect(changes.map((m) => m?.externalPort ?? null)).toEqual([40000, null]);
    expect([pcp.maps, natPmp.maps]).toEqual([3, 1]);
    await clock.advance(600_000); // UNAVAILABLE_RETRY_MS
    expect([pcp.maps, natPmp.maps]).toEqual([4, 2]);
    await mapper.stop();
    expect(pcp.unmaps).toBe(0); // nothing was mapped at the end
  });

  it('renews a short NAT-PMP lifetime on a router on loopback, then deletes the mapping', async () => {
    const router = await startFakeRouter((request) => {
      if (request[1] === 0) return natPmpAnswer(128, 0, 77, [203, 0, 113, 7]);
      const life = request.readUInt32BE(8) === 0 ? 0 : 4; // grants only 4 s
      return natPmpAnswer(129, 0, 77, [0xca, 0x6c, 0xca, 0x6c, 0, 0, 0, life]);
    });
    routers.push(router);
    const mapper = new PortMapper({
      protocols: [new NatPmpClient({ host: '127.0.0.1', port: router.port }, systemClock)],
      clock: systemClock,
      log: silentLogger,
      onChange: () => {},
    });
    mapper.start(51820);
    // 4 s granted: renewed after 2 s (RENEW_MIN_MS), each round an address and a map request.
    await new Promise((resolve) => setTimeout(resolve, 2_400));
    expect(mapper.current).toMatchObject({ externalIp: '203.0.113.7', externalPort: 51820 });
    const maps = router.requests.filter((r) => r[1] === 1).map((r) => r.readUInt32BE(8));
    expect(maps).toEqual([7200, 7200]);
    await mapper.stop();
    expect(router.requests.at(-1)!.toString('hex')).toBe('00010000ca6c000000000000');
  });

  it('costs a few hundred ms when PCP and NAT-PMP routers on loopback stay silent', async () => {
    const silent = await startFakeRouter(() => null);
    routers.push(silent);
    const gateway = { host: '127.0.0.1', port: silent.port };
    let settledAt = 0;
    const started = Date.now();
    const mapper = new PortMapper({
      protocols: [new PcpClient(gateway, systemClock), new NatPmpClient(gateway, systemClock)],
      clock: systemClock,
      log: silentLogger,
      onChange: () => {},
    });
    mapper.start(51820);
    while (mapper.state !== 'unavailable') await new Promise((r) => setTimeout(r, 20));
    settledAt = Date.now() - started;
    expect(settledAt).toBeLessThan(1_500); // two protocols × 300 ms, plus a loaded machine
    await mapper.stop();
  });

  it('does not announce a mapping on an address behind another NAT, and deletes it', async () => {
    const clock = new FakeClock();
    const changes: (PortMapping | null)[] = [];
    const cgnat = {
      externalIp: '100.64.3.9',
      externalPort: 40000,
      lifetimeS: 7200,
      routerRestarted: false,
    };
    const pcp = scripted('pcp', [cgnat]);
    const mapper = new PortMapper({
      protocols: [pcp],
      clock,
      log: silentLogger,
      onChange: (m) => changes.push(m),
    });
    mapper.start(51820);
    await clock.advance(0);
    expect(mapper.state).toBe('unavailable');
    expect(changes).toEqual([]);
    expect(pcp.unmaps).toBe(1);
    expect(mapper.tried).toEqual([
      {
        protocol: 'pcp',
        error:
          "the router's external address 100.64.3.9 is not public (another NAT lies beyond it)",
      },
    ]);
    await mapper.stop();
  });

  it.each([
    ['10.1.2.3', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['100.128.0.1', true],
    ['169.254.1.1', false],
    ['203.0.113.7', true],
    ['198.51.100.9', true],
  ])('calls %s public: %s', (ip, isPublic) => {
    expect(externalAddressProblem(ip) === null).toBe(isPublic);
  });
});
