import { describe, expect, it } from 'vitest';
import type { PathKind } from '../../../src-shared/domain/core-status.js';
import { CoordinationRecord } from './coordination-record.js';

type Step = (r: CoordinationRecord) => void;
const plan =
  (strategy: 'lan' | 'direct' | 'relay'): Step =>
  (r) =>
    r.planned({ strategy, reason: '' });

/** Each row: the events, in order, and what the record then says (outcome/reason per method). */
const CASES: {
  name: string;
  steps: Step[];
  current: PathKind | null;
  want: { lan: string; holePunch: string; relay: string; openedBy: string | null };
}[] = [
  {
    name: 'a pair the table relays: only the relay is tried',
    steps: [plan('relay'), (r) => r.relayBound()],
    current: 'relay',
    want: {
      lan: 'not-tried/different-networks',
      holePunch: 'not-tried/nat-incompatible',
      relay: 'succeeded/ok',
      openedBy: 'relay',
    },
  },
  {
    name: 'a punched pair: relay first, then the hole punch opens the path',
    steps: [
      plan('direct'),
      (r) => r.relayBound(),
      (r) => r.punchStarted(false),
      (r) => r.punchSucceeded('direct'),
    ],
    current: 'direct',
    want: {
      lan: 'not-tried/different-networks',
      holePunch: 'succeeded/ok',
      relay: 'succeeded/ok',
      openedBy: 'hole-punch',
    },
  },
  {
    name: 'a punch nobody answered leaves the pair on the relay',
    steps: [
      plan('direct'),
      (r) => r.relayBound(),
      (r) => r.punchStarted(false),
      (r) => r.punchFailed('no-answer'),
    ],
    current: 'relay',
    want: {
      lan: 'not-tried/different-networks',
      holePunch: 'failed/no-answer',
      relay: 'succeeded/ok',
      openedBy: 'relay',
    },
  },
  {
    name: 'one LAN: LAN and public candidates together, the LAN one wins',
    steps: [plan('lan'), (r) => r.punchStarted(true), (r) => r.punchSucceeded('lan')],
    current: 'lan',
    want: {
      lan: 'succeeded/ok',
      holePunch: 'trying/ok',
      relay: 'trying/ok',
      openedBy: 'lan',
    },
  },
  {
    name: 'a direct path that died',
    steps: [
      plan('direct'),
      (r) => r.punchStarted(false),
      (r) => r.punchSucceeded('direct'),
      (r) => r.pathDied('direct'),
    ],
    current: 'relay',
    want: {
      lan: 'not-tried/different-networks',
      holePunch: 'failed/path-died',
      relay: 'trying/ok',
      openedBy: 'relay',
    },
  },
  {
    name: 'no relay answered and no punch could be timed',
    steps: [
      plan('direct'),
      (r) => r.relayFailed('relay-unreachable'),
      (r) => r.punchStarted(false),
      (r) => r.punchFailed('signal-failed'),
    ],
    current: null,
    want: {
      lan: 'not-tried/different-networks',
      holePunch: 'failed/signal-failed',
      relay: 'failed/relay-unreachable',
      openedBy: null,
    },
  },
];

describe('CoordinationRecord', () => {
  it.each(CASES)('$name', ({ steps, current, want }) => {
    const record = new CoordinationRecord();
    for (const step of steps) step(record);
    const s = record.snapshot('port_restricted_cone', 'symmetric', current);
    const show = (a: { outcome: string; reason: string }) => `${a.outcome}/${a.reason}`;
    expect({
      lan: show(s.lan),
      holePunch: show(s.holePunch),
      relay: show(s.relay),
      openedBy: s.openedBy,
    }).toEqual(want);
    expect([s.selfNat, s.peerNat]).toEqual(['port_restricted_cone', 'symmetric']);
  });
});
