import { describe, expect, it } from 'vitest';
import { chooseRelay } from './relay-choice.js';

describe('chooseRelay', () => {
  it.each([
    [
      'picks the lowest latency',
      [
        ['a', 30],
        ['b', 12],
        ['c', 50],
      ],
      null,
      { id: 'b', why: 'lowest-latency' },
    ],
    [
      'ignores relays that did not answer',
      [
        ['a', null],
        ['b', 80],
      ],
      null,
      { id: 'b', why: 'lowest-latency' },
    ],
    [
      'falls back to the first when none answered',
      [
        ['a', null],
        ['b', null],
      ],
      null,
      { id: 'a', why: 'first-no-answer' },
    ],
    [
      'keeps a pinned relay even when another is faster',
      [
        ['a', 5],
        ['b', 90],
      ],
      'b',
      { id: 'b', why: 'pinned' },
    ],
    [
      'measures again when the pinned relay is gone',
      [
        ['a', 5],
        ['b', 9],
      ],
      'z',
      { id: 'a', why: 'lowest-latency' },
    ],
  ] as const)('%s', (_name, list, pinned, want) => {
    const candidates = list.map(([id, latencyMs]) => ({ id, latencyMs }));
    expect(chooseRelay(candidates, pinned)).toEqual(want);
  });

  it('has nothing to choose from an empty list', () => {
    expect(chooseRelay([])).toBeNull();
  });
});

describe('chooseRelay with reported load', () => {
  it('passes over a nearly full relay while another has room', () => {
    expect(
      chooseRelay([
        { id: 'near', latencyMs: 5, load: 0.95 },
        { id: 'far', latencyMs: 40, load: 0.2 },
      ]),
    ).toEqual({ id: 'far', why: 'lowest-latency' });
  });
  it('still picks the nearest when every relay is nearly full', () => {
    expect(
      chooseRelay([
        { id: 'near', latencyMs: 5, load: 0.95 },
        { id: 'far', latencyMs: 40, load: 1 },
      ]),
    ).toEqual({ id: 'near', why: 'lowest-latency' });
  });
  it('keeps a pinned relay even when it is nearly full', () => {
    expect(
      chooseRelay(
        [
          { id: 'near', latencyMs: 5, load: 0.2 },
          { id: 'mine', latencyMs: 40, load: 0.99 },
        ],
        'mine',
      ),
    ).toEqual({ id: 'mine', why: 'pinned' });
  });
});
