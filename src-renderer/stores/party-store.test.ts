import { describe, expect, it } from 'vitest';
import { inParty, peer, probed, relayed } from '../../src-shared/domain/testing/status-fixtures';
import { latencyLabel, pathLabel, selectPeers, showsReason, stateLabel } from './party-selectors';
import { createPartyStore, nextSamples } from './party-store';

describe('party store', () => {
  it('keeps the last status and one latency sample per peer per second', () => {
    const store = createPartyStore();
    store
      .getState()
      .statusReceived(inParty([peer('ben', { latencyMs: 20, latencyHistory: [20] })]), 10_000);
    store.getState().statusReceived(inParty([peer('ben', { latencyMs: 22 })]), 10_400);
    store.getState().statusReceived(inParty([peer('ben', { latencyMs: 25 })]), 11_000);
    expect(store.getState().samples['ben-key']).toEqual([
      { t: 10_000, ms: 20 },
      { t: 11_000, ms: 25 },
    ]);
  });

  it("seeds a new peer from the core's history, one value per five seconds back in time", () => {
    const samples = nextSamples(
      {},
      [peer('ben', { latencyMs: 30, latencyHistory: [10, 20, 30] })],
      100_000,
    );
    expect(samples['ben-key']).toEqual([
      { t: 90_000, ms: 10 },
      { t: 95_000, ms: 20 },
      { t: 100_000, ms: 30 },
    ]);
  });

  it("leaves a gap where the core's history has a step without an RTT", () => {
    const samples = nextSamples(
      {},
      [peer('ben', { latencyMs: 31, latencyHistory: [12, null, 14, 31] })],
      300_000,
    );
    expect(samples['ben-key']).toEqual([
      { t: 285_000, ms: 12 },
      { t: 295_000, ms: 14 },
      { t: 300_000, ms: 31 },
    ]);
  });

  it('keeps a whole five-minute history from the core when a window opens late', () => {
    const history = Array.from({ length: 60 }, (_, i) => i + 1);
    const samples = nextSamples(
      {},
      [peer('ben', { latencyMs: 60, latencyHistory: history })],
      1_000_000,
    );
    expect(samples['ben-key']?.length).toBe(60);
    expect(samples['ben-key']?.[0]).toEqual({ t: 705_000, ms: 1 });
    expect(samples['ben-key']?.[59]).toEqual({ t: 1_000_000, ms: 60 });
  });

  it('forgets samples older than five minutes and peers that left', () => {
    const old = {
      'ben-key': [
        { t: 0, ms: 5 },
        { t: 200_000, ms: 6 },
      ],
      'cara-key': [{ t: 0, ms: 9 }],
    };
    const samples = nextSamples(old, [peer('ben', { latencyMs: 7 })], 301_000);
    expect(samples).toEqual({
      'ben-key': [
        { t: 200_000, ms: 6 },
        { t: 301_000, ms: 7 },
      ],
    });
  });

  it('records a failed command with its code, and clears it on the next one', () => {
    const store = createPartyStore();
    store.getState().commandStarted('join');
    store.getState().commandFailed('join', 'bad-invite', 'No party has this invite code.');
    expect(store.getState()).toMatchObject({
      busy: null,
      error: { command: 'join', code: 'bad-invite', message: 'No party has this invite code.' },
    });
    store.getState().commandStarted('join');
    expect(store.getState().error).toBeNull();
  });
});

describe('party selectors', () => {
  it('lists peers by name, and returns the same array for the same status', () => {
    const state = {
      status: inParty([peer('cara'), peer('ben')]),
      samples: {},
      busy: null,
      error: null,
    };
    expect(selectPeers(state).map((p) => p.name)).toEqual(['ben', 'cara']);
    expect(selectPeers(state)).toBe(selectPeers(state));
  });

  it.each([
    [peer('a', { path: 'lan' }), 'LAN'],
    [peer('a'), 'Direct'],
    [
      peer('a', {
        coordination: {
          ...peer('a').coordination,
          openedBy: 'port-mapping',
          portMapping: {
            self: { protocol: null, tried: [] },
            peer: 'upnp',
            used: { whose: 'peer', protocol: 'upnp' },
          },
        },
      }),
      'Direct via UPnP mapping',
    ],
    [probed('a'), 'Direct after port probing'],
    [peer('a', { endpoint: '[2001:db8:2::2]:51820' }), 'Direct · IPv6'],
    [relayed('a', 'eu-1', 41), 'Relay eu-1'],
    [peer('a', { path: null, state: 'connecting' }), 'Connecting'],
    [peer('a', { path: null, state: 'failed' }), 'No path'],
  ])('labels the path %#', (status, label) => {
    expect(pathLabel(status)).toBe(label);
  });

  it.each([
    [null, '—'],
    [0.42, '0.4 ms'],
    [0.94, '0.9 ms'],
    // Rounds to 1.0 at one decimal: the same words as 1.02 ms, not "1.0 ms" beside "1 ms".
    [0.96, '1 ms'],
    [1.02, '1 ms'],
    [23.4, '23 ms'],
  ])('writes latency %s as %s', (ms, label) => {
    expect(latencyLabel(ms)).toBe(label);
  });

  it('shows the reason only when a peer is slow or unreachable', () => {
    expect(showsReason(peer('a'))).toBe(false);
    expect(showsReason(peer('a', { state: 'degraded' }))).toBe(true);
    expect(stateLabel(peer('a', { state: 'failed' }))).toBe('Not reachable');
  });
});
