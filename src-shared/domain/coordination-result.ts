import { parseEndpoint } from './endpoint.js';
import { parsed, rejected, type ParseResult } from '../protocol/parse-result.js';
import type { PathKind } from './core-status.js';

/**
 * What the ConnectionCoordinator settled for a peer (the seed's result object): the strategy, the
 * endpoint the tunnel's packets now go to, the relay when relayed, the RTT that proved the path,
 * and the error when an attempt failed. It is checked before anything acts on it: a result that
 * contradicts itself (a relay without an id, a direct path through a relay) is a bug to log, not a
 * path to use.
 */
export interface CoordinationResult {
  strategy: 'direct' | 'relay';
  path: PathKind;
  /** "ip:port" of the peer (direct) or of the relay (relay). */
  endpoint: string;
  relayId: string | null;
  latencyMs: number | null;
  /** Why the preferred strategy was not reached (e.g. a failed hole punch); null when it was. */
  error: string | null;
}

export function validateCoordinationResult(r: CoordinationResult): ParseResult<CoordinationResult> {
  const ep = parseEndpoint(r.endpoint);
  if (!ep.ok) return rejected(`endpoint: ${ep.error}`);
  if (r.strategy === 'relay') {
    if (r.path !== 'relay') return rejected(`a relay strategy cannot use a ${r.path} path`);
    if (!r.relayId) return rejected('a relayed result needs the relay id');
  } else {
    if (r.path === 'relay') return rejected('a direct strategy cannot use a relay path');
    if (r.relayId !== null) return rejected('a direct result names no relay');
  }
  if (r.latencyMs !== null && !(Number.isFinite(r.latencyMs) && r.latencyMs >= 0)) {
    return rejected(`latency ${r.latencyMs} is not a duration`);
  }
  return parsed(r);
}
