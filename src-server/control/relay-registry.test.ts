import { describe, expect, it } from 'vitest';
import type { RelayRegistration } from '../../src-shared/protocol/control-messages.js';
import { ControlError } from './control-error.js';
import { JoinAttemptLimiter } from './join-attempt-limiter.js';
import { RelayRegistry } from './relay-registry.js';

const T0 = 1_700_000_000_000;
const reg = (id: string, over: Partial<RelayRegistration> = {}): RelayRegistration => ({
  v: 1,
  id,
  region: 'eu',
  endpoint: '203.0.113.1:7000',
  load: 0.5,
  sentAt: T0,
  ...over,
});

describe('RelayRegistry', () => {
  it('offers a relay while its heartbeats are under 30 s old, least loaded first', () => {
    const clock = { now: T0 };
    const registry = new RelayRegistry({ now: () => clock.now });
    expect(registry.heartbeat(reg('b', { load: 0.9 }))).toBe(true);
    expect(registry.heartbeat(reg('a', { load: 0.1 }))).toBe(true);
    expect(registry.healthy().map((r) => r.id)).toEqual(['a', 'b']);
    clock.now += 20_000;
    expect(registry.heartbeat(reg('a', { sentAt: clock.now, load: 0.3 }))).toBe(false); // load only
    clock.now += 10_000;
    expect(registry.healthy().map((r) => r.id)).toEqual(['a']);
    expect(registry.heartbeat(reg('b', { sentAt: clock.now }))).toBe(true); // back to health
  });

  it.each([
    { name: 'a minute and more in the past', sentAt: T0 - 61_000, why: /-61 s off/ },
    { name: 'a minute and more in the future', sentAt: T0 + 61_000, why: /61 s off/ },
  ])('refuses a heartbeat sent $name', ({ sentAt, why }) => {
    const registry = new RelayRegistry({ now: () => T0 });
    expect(() => registry.heartbeat(reg('a', { sentAt }))).toThrow(why);
    expect(registry.size).toBe(0);
  });

  it('refuses a heartbeat older than the last one from the same relay (a replay)', () => {
    const registry = new RelayRegistry({ now: () => T0 });
    registry.heartbeat(reg('a', { sentAt: T0 }));
    expect(() =>
      registry.heartbeat(reg('a', { sentAt: T0 - 1, endpoint: '198.51.100.1:1' })),
    ).toThrow(ControlError);
    expect(registry.healthy()[0]?.endpoint).toBe('203.0.113.1:7000');
  });

  it('forgets a relay silent for ten minutes and refuses new ones beyond its limit', () => {
    const clock = { now: T0 };
    const registry = new RelayRegistry({ now: () => clock.now, maxRelays: 1 });
    registry.heartbeat(reg('a'));
    expect(() => registry.heartbeat(reg('b'))).toThrow(/registry is full/);
    clock.now += 600_000;
    expect(registry.sweep()).toBe(1);
    expect(registry.heartbeat(reg('b', { sentAt: clock.now }))).toBe(true);
  });
});

describe('JoinAttemptLimiter', () => {
  it('blocks a key after its failures in the window and frees it as they age out', () => {
    const clock = { now: 0 };
    const limiter = new JoinAttemptLimiter({
      maxFailures: 3,
      windowMs: 60_000,
      now: () => clock.now,
    });
    for (let i = 0; i < 3; i++) {
      expect(limiter.blocked(['ip:a'])).toBe(false);
      limiter.recordFailure(['ip:a', 'key:k']);
      clock.now += 10_000;
    }
    expect(limiter.blocked(['ip:a'])).toBe(true);
    expect(limiter.blocked(['ip:b', 'key:k'])).toBe(true);
    expect(limiter.blocked(['ip:b'])).toBe(false);
    clock.now = 60_001;
    expect(limiter.blocked(['ip:a'])).toBe(false);
    clock.now = 200_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('tracks a bounded number of keys', () => {
    const limiter = new JoinAttemptLimiter({
      maxFailures: 1,
      windowMs: 60_000,
      now: () => 0,
      maxKeys: 100,
    });
    for (let i = 0; i < 1_000; i++) limiter.recordFailure([`ip:${i}`]);
    expect(limiter.size).toBe(100);
    expect(limiter.blocked(['ip:999'])).toBe(true);
  });
});
