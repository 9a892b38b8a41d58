import { describe, expect, it } from 'vitest';
import { inParty, peer, relayed } from '../../src-shared/domain/testing/status-fixtures';
import { noticesFor } from './notice-rules';

describe('notification rules', () => {
  it.each([
    [
      'a peer joined',
      inParty([peer('ben')]),
      inParty([peer('ben'), peer('cara')]),
      ['peer-joined cara joined the party'],
    ],
    [
      'a peer left',
      inParty([peer('ben'), peer('cara')]),
      inParty([peer('ben')]),
      ['peer-left cara left the party'],
    ],
    [
      'moved to a relay',
      inParty([peer('ben')]),
      inParty([relayed('ben', 'eu-1', 41)]),
      ['to-relay ben moved to relay eu-1'],
    ],
    [
      'back to direct',
      inParty([relayed('ben', 'eu-1', 41)]),
      inParty([peer('ben')]),
      ['to-direct ben is back on a direct path'],
    ],
    [
      'back on the LAN',
      inParty([relayed('ben', 'eu-1', 41)]),
      inParty([peer('ben', { path: 'lan' })]),
      ['to-direct ben is back on your LAN'],
    ],
    [
      'a latency spike',
      inParty([peer('ben', { latencyMs: 20 })]),
      inParty([peer('ben', { latencyMs: 120 })]),
      ['latency-spike ben: latency jumped from 20 to 120 ms'],
    ],
    [
      'a jump below 100 ms',
      inParty([peer('ben', { latencyMs: 20 })]),
      inParty([peer('ben', { latencyMs: 90 })]),
      [],
    ],
    [
      'a slow rise under ×2',
      inParty([peer('ben', { latencyMs: 150 })]),
      inParty([peer('ben', { latencyMs: 250 })]),
      [],
    ],
    [
      'a relay to relay switch',
      inParty([relayed('ben', 'near', 20)]),
      inParty([relayed('ben', 'far', 30)]),
      [],
    ],
    [
      'the first path of a new peer',
      inParty([peer('ben', { path: null, state: 'connecting' })]),
      inParty([relayed('ben', 'eu-1', 41)]),
      [],
    ],
  ])('%s', (_what, before, after, expected) => {
    expect(noticesFor(before, after).map((n) => `${n.kind} ${n.text}`)).toEqual(expected);
  });

  it('says nothing when entering a party, however many are already in it', () => {
    expect(noticesFor(null, inParty([peer('ben'), peer('cara')]))).toEqual([]);
    expect(
      noticesFor(inParty([], { party: null, state: 'idle' }), inParty([peer('ben'), peer('cara')])),
    ).toEqual([]);
  });

  it('says nothing when the party changed', () => {
    const other = inParty([peer('dan')], {
      party: { id: 'party-2', name: 'Other', inviteCode: 'AAAAA-BBBBB' },
    });
    expect(noticesFor(inParty([peer('ben')]), other)).toEqual([]);
  });
});
