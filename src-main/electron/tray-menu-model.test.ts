import { describe, expect, it } from 'vitest';
import { idle, inParty, peer, relayed } from '../../src-shared/domain/testing/status-fixtures.js';
import { latencyBucket, modelKey, peerLine, trayModel, type TrayItem } from './tray-menu-model.js';

const labels = (items: TrayItem[]) => items.map((i) => (i.kind === 'separator' ? '---' : i.label));

describe('the tray menu model', () => {
  it('lists every peer with path and latency, then the common actions', () => {
    const model = trayModel(inParty([peer('ben', { latencyMs: 23 }), relayed('cara', 'eu-1', 41)]));
    expect(labels(model.items)).toEqual([
      'Friday LAN — Connected',
      'ben — direct 25 ms',
      'cara — relay eu-1 40 ms',
      '---',
      'Copy invite code K7M2Q-9XTRA',
      '---',
      'Open LANrage',
      'Settings…',
      'Leave party',
      'Quit LANrage',
    ]);
    expect(model.icon).toBe('tray-connected.png');
    expect(model.tooltip).toBe('LANrage — Friday LAN: Connected, worst 40 ms');
  });

  it.each([
    [peer('ben', { latencyMs: 3.4 }), 'ben — direct 3 ms'],
    [peer('ben', { path: 'lan', latencyMs: 0.4 }), 'ben — LAN 1 ms'],
    [relayed('cara', 'eu-1', 41), 'cara — relay eu-1 40 ms'],
    [peer('dan', { state: 'connecting', path: null, latencyMs: null }), 'dan — connecting'],
    [peer('eve', { state: 'failed' }), 'eve — not reachable'],
    [peer('fay', { state: 'degraded', latencyMs: 260 }), 'fay — direct 250 ms (slow)'],
    [peer('gus', { latencyMs: null }), 'gus — direct'],
  ])('writes a peer line: %#', (status, line) => {
    expect(peerLine(status)).toBe(line);
  });

  it.each([
    [0.2, 1],
    [9.4, 9],
    [11, 10],
    [23, 25],
    [99, 100],
    [112, 100],
    [113, 125],
    [499, 500],
    [1234, 1200],
  ])('rounds %d ms into the %d ms bucket', (ms, bucket) => {
    expect(latencyBucket(ms)).toBe(bucket);
  });

  it('shows eight peers by name, then "All peers…"', () => {
    const peers = 'abcdefghij'.split('').map((n) => peer(`p${n}`));
    const model = trayModel(inParty(peers));
    const names = labels(model.items).filter((l) => l.startsWith('p'));
    expect(names).toEqual([
      'pa — direct 25 ms',
      'pb — direct 25 ms',
      'pc — direct 25 ms',
      'pd — direct 25 ms',
      'pe — direct 25 ms',
      'pf — direct 25 ms',
      'pg — direct 25 ms',
      'ph — direct 25 ms',
    ]);
    expect(model.items).toContainEqual({
      kind: 'action',
      label: 'All peers (10)…',
      action: 'all-peers',
    });
  });

  it('outside a party offers only Open, Settings and Quit, with the disconnected icon', () => {
    const model = trayModel(idle());
    expect(labels(model.items)).toEqual([
      'Not in a party',
      '---',
      'Open LANrage',
      'Settings…',
      'Quit LANrage',
    ]);
    expect(model.icon).toBe('tray-disconnected.png');
    expect(model.tooltip).toBe('LANrage — Not in a party');
  });

  it('says it cannot connect when the service has a problem', () => {
    expect(labels(trayModel(null, 'helper refused').items)[0]).toBe('LANrage cannot connect');
  });

  it('shows the degraded icon when a peer is slow', () => {
    expect(trayModel(inParty([peer('ben', { state: 'degraded' })])).icon).toBe('tray-degraded.png');
  });

  it('gives the same key when only sub-bucket latency changed, a new key when a line changes', () => {
    const a = modelKey(trayModel(inParty([peer('ben', { latencyMs: 23 })])));
    const b = modelKey(trayModel(inParty([peer('ben', { latencyMs: 24 })])));
    const c = modelKey(trayModel(inParty([peer('ben', { latencyMs: 31 })])));
    const d = modelKey(trayModel(inParty([relayed('ben', 'eu-1', 23)])));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });
});
