import type { RelayHandle } from '../../../src-server/relay/relay-server.js';
import { seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import { FakeClock } from '../time/fake-clock.js';
import { MemoryInternet } from './memory-internet.js';
import { startMemoryRelay } from './memory-relay.js';
import { startMemoryStunServer, type MemoryStunServer } from './memory-stun-server.js';

/**
 * Test support: the servers' side of the in-memory internet — a fake clock, an RFC 5780 STUN
 * server, and two real relays at different distances ("near" 2 ms, "far" 20 ms further) — ready
 * for players to be added with `internet.player(kind, publicIp)`.
 */
export const RELAY_SECRET = Buffer.from('in-memory relay secret, tests only');
export const NEAR_RELAY_IP = '203.0.113.10';
export const FAR_RELAY_IP = '203.0.113.20';
/** Extra one-way delay to the far relay: enough that "nearest" is a real choice. */
export const FAR_RELAY_EXTRA_MS = 20;

export interface MemoryWorld {
  clock: FakeClock;
  internet: MemoryInternet;
  stun: MemoryStunServer;
  relays: { near: RelayHandle; far: RelayHandle };
  /** Relays as a client's config lists them. */
  relayConfig: { id: string; endpoint: string }[];
  /** What ICMP to a relay would measure (the one-way delays, both ways). */
  relayLatency: (host: string) => Promise<number | null>;
  close(): Promise<void>;
}

/** `natSeed` seeds the symmetric NATs' port draws (memory-nat.ts); a fixed one by default. */
export async function memoryWorld(startMs?: number, natSeed?: number): Promise<MemoryWorld> {
  const clock = new FakeClock(startMs);
  const internet = new MemoryInternet({
    clock,
    latencyMs: 1,
    ...(natSeed !== undefined && { random: seededRandom(natSeed) }),
  });
  const stun = startMemoryStunServer(internet, '198.51.100.1', '198.51.100.2');
  const near = await startMemoryRelay(internet.publicHost(NEAR_RELAY_IP), RELAY_SECRET, clock);
  const far = await startMemoryRelay(internet.publicHost(FAR_RELAY_IP), RELAY_SECRET, clock);
  internet.setLatency(FAR_RELAY_IP, FAR_RELAY_EXTRA_MS);
  return {
    clock,
    internet,
    stun,
    relays: { near, far },
    relayConfig: [
      { id: 'near', endpoint: `${NEAR_RELAY_IP}:${near.port}` },
      { id: 'far', endpoint: `${FAR_RELAY_IP}:${far.port}` },
    ],
    relayLatency: async (host) => {
      if (host === NEAR_RELAY_IP) return 2;
      if (host === FAR_RELAY_IP) return 2 + 2 * FAR_RELAY_EXTRA_MS;
      return null;
    },
    close: async () => {
      await near.close();
      await far.close();
    },
  };
}
