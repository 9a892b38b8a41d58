import { describe, expect, it } from 'vitest';
import { CoreStatusSchema, RelayStatusSchema } from './core-status-schema.js';
import { idle, inParty, peer, relayed } from './testing/status-fixtures.js';

describe('the CoreStatus schema', () => {
  it('accepts what the core reports, in and out of a party', () => {
    expect(
      CoreStatusSchema.safeParse(inParty([peer('ben'), relayed('cara', 'eu-1', 41)])).success,
    ).toBe(true);
    expect(CoreStatusSchema.safeParse(idle()).success).toBe(true);
  });

  it.each([
    ['a NaN latency', inParty([peer('ben', { latencyMs: Number.NaN })])],
    ['a negative latency', inParty([peer('ben', { latencyMs: -1 })])],
    ['an unknown NAT type', inParty([peer('ben', { natType: 'cgnat' as never })])],
    ['an unknown state', { ...idle(), state: 'hacked' }],
    ['an extra field', { ...idle(), debug: true }],
    ['a peer without an id', inParty([peer('ben', { id: '' })])],
  ])('refuses %s', (_what, value) => {
    expect(CoreStatusSchema.safeParse(value).success).toBe(false);
  });

  it('accepts the game-discovery counters the core adds for lanrage status', () => {
    const counters = { forwarded: 3, received: 2, droppedByLimit: 0 };
    expect(
      CoreStatusSchema.safeParse(inParty([peer('ben', { discovery: counters })])).success,
    ).toBe(true);
    expect(CoreStatusSchema.safeParse(inParty([peer('ben', { discovery: null })])).success).toBe(
      true,
    );
  });

  it('refuses a relay list entry from an unknown source', () => {
    const relay = {
      id: 'near',
      endpoint: '1.2.3.4:7401',
      region: 'eu',
      latencyMs: 3,
      inUse: true,
      pinned: false,
    };
    expect(RelayStatusSchema.safeParse({ ...relay, source: 'control' }).success).toBe(true);
    expect(RelayStatusSchema.safeParse({ ...relay, source: 'dns' }).success).toBe(false);
  });
});
