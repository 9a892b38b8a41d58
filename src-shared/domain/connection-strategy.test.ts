import { describe, expect, it } from 'vitest';
import { chooseStrategy, type Strategy } from './connection-strategy.js';
import type { NatType } from './nat-type.js';

const at = (natType: NatType, publicIp: string | null = null) => ({ natType, publicIp });

describe('chooseStrategy', () => {
  const table: [NatType, NatType, Strategy][] = [
    ['open', 'open', 'direct'],
    ['open', 'port_restricted_cone', 'direct'],
    ['open', 'symmetric', 'direct'],
    ['open', 'unknown', 'direct'],
    ['full_cone', 'open', 'direct'],
    ['full_cone', 'restricted_cone', 'direct'],
    ['restricted_cone', 'port_restricted_cone', 'direct'],
    ['port_restricted_cone', 'port_restricted_cone', 'direct'],
    ['port_restricted_cone', 'symmetric', 'relay'],
    ['restricted_cone', 'symmetric', 'relay'],
    ['full_cone', 'symmetric', 'direct'],
    ['symmetric', 'full_cone', 'direct'],
    ['port_restricted_cone', 'unknown', 'relay'],
    ['symmetric', 'open', 'direct'],
    ['symmetric', 'symmetric', 'relay'],
    ['symmetric', 'unknown', 'relay'],
    ['unknown', 'open', 'direct'],
    ['unknown', 'full_cone', 'relay'],
    ['unknown', 'unknown', 'relay'],
  ];

  it.each(table)('%s ↔ %s goes %s', (self, peer, want) => {
    expect(chooseStrategy(at(self, '198.18.0.1'), at(peer, '198.18.0.2')).strategy).toBe(want);
  });

  it('is symmetric: both ends of a pair agree', () => {
    for (const [a, b] of table) {
      expect(chooseStrategy(at(b, '1.1.1.1'), at(a, '2.2.2.2')).strategy).toBe(
        chooseStrategy(at(a, '2.2.2.2'), at(b, '1.1.1.1')).strategy,
      );
    }
  });

  it('tries LAN addresses first behind the same public IP, whatever the NAT', () => {
    expect(chooseStrategy(at('symmetric', '198.18.0.9'), at('symmetric', '198.18.0.9'))).toEqual({
      strategy: 'lan',
      reason: 'both behind 198.18.0.9: trying LAN addresses first',
    });
  });

  it('does not treat two unknown public IPs as the same network', () => {
    expect(chooseStrategy(at('unknown'), at('unknown')).strategy).toBe('relay');
  });
});
