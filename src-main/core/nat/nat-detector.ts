import { silentLogger, type Logger } from '../../../src-common/logging/logger.js';
import {
  formatEndpoint,
  parseEndpoint,
  type Endpoint,
} from '../../../src-shared/domain/endpoint.js';
import {
  classifyNat,
  sameEndpoint,
  type FilteringBehaviour,
  type MappingBehaviour,
  type NatObservations,
} from '../../../src-shared/domain/nat-classification.js';
import type { NatType } from '../../../src-shared/domain/nat-type.js';
import { observeNatBehaviour, type BehaviourObservations } from './nat-behaviour.js';
import type { StunClient } from './stun-client.js';

/**
 * The core's NAT verdict: which STUN servers to ask (those the control server advertises, else
 * the config's), in what order, and what to conclude when they do not cooperate.
 *
 *   first server that answers  → RFC 5780 tests against it (nat-behaviour.ts)
 *   no OTHER-ADDRESS there     → compare its mapping with the next server's
 *   nothing answers            → unknown (the connection coordinator then relays first)
 */

/**
 * Servers tried before giving up. A silent server costs a whole transaction timeout (2.75 s),
 * so three bound the worst case near 8 s of "detecting NAT…" — and a user whose first three
 * STUN servers are all unreachable is on a network where a relay is the answer anyway.
 */
export const MAX_STUN_SERVERS_TRIED = 3;

export interface DetectNatOptions {
  servers: Endpoint[];
  /** A client on the tunnel's public socket (its `handle` wired to the mux's STUN datagrams). */
  client: StunClient;
  /** The public socket's own addresses (interface IPs × its port): "no NAT" means mapped ∈ these. */
  localEndpoints: Endpoint[];
  logger?: Logger;
}

export interface NatDetection {
  natType: NatType;
  /** The address peers reach us at, as the primary STUN server saw it; null if none answered. */
  publicEndpoint: Endpoint | null;
  /** Our own address matching the public one (no NAT), else our first local address. */
  localEndpoint: Endpoint | null;
  reason: string;
  mapping: MappingBehaviour;
  filtering: FilteringBehaviour;
  /** The server the behaviour tests ran against. */
  server: Endpoint | null;
}

export async function detectNat(options: DetectNatOptions): Promise<NatDetection> {
  const log = options.logger ?? silentLogger;
  try {
    return await detect(options, log);
  } catch (error) {
    // Nothing here should throw; if it does, NAT detection must not take the app down with it.
    log.error('NAT detection failed', { error: (error as Error).message });
    return {
      natType: 'unknown',
      publicEndpoint: null,
      localEndpoint: options.localEndpoints[0] ?? null,
      reason: `NAT detection failed: ${(error as Error).message}; relay first`,
      mapping: 'unknown',
      filtering: 'unknown',
      server: null,
    };
  }
}

async function detect(options: DetectNatOptions, log: Logger): Promise<NatDetection> {
  const servers = dedupe(options.servers).slice(0, MAX_STUN_SERVERS_TRIED);
  if (servers.length === 0) log.warn('no STUN servers configured; NAT type unknown');

  let chosen: { server: Endpoint; index: number; seen: BehaviourObservations } | null = null;
  for (const [index, server] of servers.entries()) {
    const seen = await observeNatBehaviour(options.client, server);
    if (seen.primary !== null) {
      chosen = { server, index, seen };
      break;
    }
    log.warn('STUN server did not answer', { server: formatEndpoint(server), why: seen.failure });
  }

  const observations: NatObservations = {
    localEndpoints: options.localEndpoints,
    mappedPrimary: chosen?.seen.primary?.mapped ?? null,
    rfc5780: chosen?.seen.rfc5780 ?? null,
    mappedSecondServer: null,
  };
  let verdict = classifyNat(observations);

  const primaryAnswer = chosen?.seen.primary;
  if (chosen !== null && primaryAnswer && verdict.mapping === 'unknown') {
    // Plain RFC 5389 server (or its alternate was silent): a second server's view of the same
    // socket still tells endpoint-independent mapping from symmetric.
    log.warn('RFC 5780 tests unavailable; comparing mappings from two STUN servers', {
      server: formatEndpoint(chosen.server),
    });
    for (const server of servers.slice(chosen.index + 1)) {
      const answer = await options.client.binding(server);
      if (answer.ok && !sameEndpoint(answer.from, primaryAnswer.from)) {
        observations.mappedSecondServer = answer.mapped;
        break;
      }
    }
    verdict = classifyNat(observations);
  }

  const publicEndpoint = observations.mappedPrimary;
  const localEndpoint =
    options.localEndpoints.find((local) => sameEndpoint(local, publicEndpoint)) ??
    options.localEndpoints[0] ??
    null;
  const fields = {
    natType: verdict.natType,
    publicEndpoint: publicEndpoint ? formatEndpoint(publicEndpoint) : 'none',
    mapping: verdict.mapping,
    filtering: verdict.filtering,
    reason: verdict.reason,
  };
  if (verdict.natType === 'unknown') log.warn('NAT type unknown', fields);
  else log.info('NAT detected', fields);
  return { ...verdict, publicEndpoint, localEndpoint, server: chosen?.server ?? null };
}

/**
 * The servers to ask: those the control server advertises (its `hello.stun`), else the config's
 * `stunServers`. Both are "host:port" strings already checked by their schemas; anything that
 * still fails to parse is skipped rather than trusted.
 */
export function chooseStunServers(
  advertised: readonly string[],
  configured: readonly string[],
): Endpoint[] {
  const parse = (list: readonly string[]) =>
    list.flatMap((text) => {
      const result = parseEndpoint(text, { allowHostname: true });
      return result.ok ? [result.value] : [];
    });
  const fromServer = parse(advertised);
  return fromServer.length > 0 ? fromServer : parse(configured);
}

function dedupe(servers: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return servers.filter((server) => {
    const key = formatEndpoint(server);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
