import { describe, expect, it } from 'vitest';
import { validateCoordinationResult, type CoordinationResult } from './coordination-result.js';

const direct: CoordinationResult = {
  strategy: 'direct',
  path: 'direct',
  endpoint: '198.18.0.101:40000',
  relayId: null,
  latencyMs: 1.5,
  error: null,
};
const relayed: CoordinationResult = {
  strategy: 'relay',
  path: 'relay',
  endpoint: '198.19.1.2:7401',
  relayId: 'near',
  latencyMs: null,
  error: 'direct attempt failed',
};

describe('validateCoordinationResult', () => {
  it.each([
    ['a direct result', direct],
    ['a relayed result', relayed],
    ['a LAN result', { ...direct, path: 'lan' as const }],
  ])('accepts %s', (_name, result) => {
    expect(validateCoordinationResult(result)).toEqual({ ok: true, value: result });
  });

  it.each([
    ['a relay without its id', { ...relayed, relayId: null }, 'needs the relay id'],
    [
      'a relay strategy on a direct path',
      { ...relayed, path: 'direct' as const },
      'cannot use a direct path',
    ],
    [
      'a direct strategy through a relay',
      { ...direct, path: 'relay' as const },
      'cannot use a relay path',
    ],
    ['a direct result naming a relay', { ...direct, relayId: 'near' }, 'names no relay'],
    ['an endpoint that is not ip:port', { ...direct, endpoint: 'peer' }, 'endpoint'],
    ['a negative latency', { ...direct, latencyMs: -1 }, 'not a duration'],
    ['a latency that is not a number', { ...direct, latencyMs: Number.NaN }, 'not a duration'],
  ])('refuses %s', (_name, result, reason) => {
    const checked = validateCoordinationResult(result);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toContain(reason);
  });
});
