import { describe, expect, it } from 'vitest';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import { seededRandom } from '../../../src-shared/protocol/fuzz-bytes.js';
import {
  hitProbability,
  MAX_PROBES,
  PROBE_SOCKETS,
  portProbeRole,
  randomProbePorts,
} from './port-probing.js';

describe('port probing: who does what', () => {
  // Written out from issue 10 item 3: only symmetric ↔ cone pairs probe; the symmetric side opens
  // the extra sockets, the cone side probes random ports.
  it.each<[NatType, NatType, ReturnType<typeof portProbeRole>]>([
    ['symmetric', 'port_restricted_cone', 'opener'],
    ['symmetric', 'restricted_cone', 'opener'],
    ['symmetric', 'full_cone', 'opener'],
    ['port_restricted_cone', 'symmetric', 'prober'],
    ['restricted_cone', 'symmetric', 'prober'],
    ['full_cone', 'symmetric', 'prober'],
    ['symmetric', 'symmetric', null],
    ['symmetric', 'open', null],
    ['open', 'symmetric', null],
    ['symmetric', 'unknown', null],
    ['unknown', 'symmetric', null],
    ['port_restricted_cone', 'port_restricted_cone', null],
  ])('%s towards %s: %s', (self, peer, role) => {
    expect(portProbeRole(self, peer)).toBe(role);
  });
});

describe('port probing: the numbers', () => {
  it('matches the birthday write-up: 256 sockets and 256 probes meet 64 % of the time', () => {
    expect(hitProbability(256, 256, 64_512)).toBeCloseTo(0.639, 3);
  });

  it('gives LANrage’s 256 sockets and 1,280 probes a 99.4 % chance per attempt', () => {
    expect(PROBE_SOCKETS).toBe(256);
    expect(MAX_PROBES).toBe(1_280);
    expect(hitProbability(PROBE_SOCKETS, MAX_PROBES, 64_512)).toBeCloseTo(0.994, 3);
  });

  it('draws distinct ports from 1024-65535', () => {
    const ports = randomProbePorts(MAX_PROBES, seededRandom(1));
    expect(ports).toHaveLength(1_280);
    expect(new Set(ports).size).toBe(1_280);
    expect(Math.min(...ports)).toBeGreaterThanOrEqual(1024);
    expect(Math.max(...ports)).toBeLessThanOrEqual(65_535);
  });

  it('can draw every port once, and no more', () => {
    const all = randomProbePorts(70_000, seededRandom(2));
    expect(all).toHaveLength(64_512);
    expect(new Set(all).size).toBe(64_512);
  });
});
