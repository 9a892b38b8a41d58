import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import type { CoreStatus } from '../../../src-shared/domain/core-status.js';
import { parseConfig } from '../config/config-loader.js';
import type { ConfigInput } from '../config/config-schema.js';
import type { MappingProtocol } from '../portmap/mapping-protocol.js';
import { LanrageCore } from '../lanrage-core.js';
import { silentLogger } from '../../../src-common/logging/logger.js';
import type { MemoryHost } from './memory-internet.js';
import { memoryPacketNetwork, type MemoryDataPlane } from './memory-packet-network.js';
import { onClock } from './memory-peer.js';
import type { MemoryWorld } from './memory-world.js';

/**
 * Test support: a whole LanrageCore — the same `LanrageCore.start` the CLI and the app run — on a
 * host of the in-memory internet, talking to a real control server (its WebSocket on loopback).
 * Every status it pushes is kept, so a test can check the sequence, not only the end.
 */
export interface MemoryCore {
  core: LanrageCore;
  name: string;
  dataPlane: MemoryDataPlane;
  pushed: CoreStatus[];
}

export async function startMemoryCore(
  world: MemoryWorld,
  controlUrl: string,
  host: MemoryHost,
  name: string,
  options: {
    keys?: { publicKey: string; privateKey: string };
    config?: ConfigInput;
    /** The router's port mapping, scripted (default: no router answers). */
    mappingProtocols?: () => Promise<MappingProtocol[]>;
  } = {},
): Promise<MemoryCore> {
  const network = memoryPacketNetwork(host, world.clock);
  const pushed: CoreStatus[] = [];
  const core = await onClock(
    world.clock,
    LanrageCore.start({
      config: parseConfig({
        controlUrl,
        name,
        relays: world.relayConfig,
        stunServers: [world.stun.endpoint],
        defaultRelay: '203.0.113.99:7401',
        probeIntervalMs: 200,
        deadPathAfterMs: 1_000,
        monitorIntervalMs: 2_000,
        ...options.config,
      }),
      configDir: '/nonexistent',
      logger: silentLogger,
      clock: world.clock,
      openNetwork: network.open,
      keys: options.keys ?? generateKeyPair(),
      relayLatency: world.relayLatency,
      localCandidates: (port) => [`${host.ip}:${port}`],
      // No router in the memory world answers port mapping (and nothing may reach a real one).
      mappingProtocols: options.mappingProtocols ?? (() => Promise.resolve([])),
      onStatus: (s) => pushed.push(s),
    }),
  );
  return { core, name, dataPlane: network.dataPlane(), pushed };
}
