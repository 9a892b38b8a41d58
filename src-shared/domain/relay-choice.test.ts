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
