import type { Endpoint } from '../../../src-shared/domain/endpoint.js';
import type { Rfc5780Observations } from '../../../src-shared/domain/nat-classification.js';
import type { BindingResult, StunClient, TransactionTiming } from './stun-client.js';

/**
 * RFC 5780 §4.3 (mapping) and §4.4 (filtering) against one server, from the tunnel's socket.
 *
 *   1. test I      → P:Pp (primary)                    mapped M1, OTHER-ADDRESS A:Ap
 *   2. filtering   → P:Pp with CHANGE-REQUEST ip+port  answered from A:Ap?  (test II)
 *                  → P:Pp with CHANGE-REQUEST port     answered from P:Ap?  (test III)
 *   3. mapping     → A:Pp                              mapped M2 (test II)
 *   4. only if M2 ≠ M1:  → A:Ap                        mapped M3 (test III)
 *
 * Order matters: the filtering tests run BEFORE anything is sent to A. Once our socket has sent
 * to A, an address-dependent filter lets A's answers in and would pass for endpoint-independent.
 * The two filtering requests run together (both go to P only).
 *
 * Test III is skipped when test II already shows an endpoint-independent mapping (RFC 5780 §4.3
 * needs it only to tell the dependent kinds apart), and that matters: the filtering test's answer
 * from A:Ap reached the router unsolicited, and a router that answers WAN input keeps a conntrack
 * entry for it. Our request to A:Ap would then collide with that entry and be remapped to a new
 * port, and Linux's NAT reuses the newest mapping of a socket for its later destinations: every
 * peer and relay would see a port other than the one we publish.
 */

export interface BehaviourObservations {
  /** Test I's answer; null when the server did not answer. */
  primary: Extract<BindingResult, { ok: true }> | null;
  /** Why test I failed, when it did. */
  failure: string | null;
  /** null when the server gave no OTHER-ADDRESS (RFC 5389 only). */
  rfc5780: Rfc5780Observations | null;
}

export async function observeNatBehaviour(
  client: StunClient,
  server: Endpoint,
): Promise<BehaviourObservations> {
  const first = await client.binding(server);
  if (!first.ok) return { primary: null, failure: first.detail, rfc5780: null };
  const other = first.otherAddress;
  if (other === null) return { primary: first, failure: null, rfc5780: null };

  // From here on, address the primary by the source it answered from: `server` may be a name.
  const primary = first.from;
  const timing = filteringTiming(first.rttMs);
  const [changeBoth, changePort] = await Promise.all([
    client.binding(primary, { changeIp: true, changePort: true }, timing),
    client.binding(primary, { changeIp: false, changePort: true }, timing),
  ]);
  const mappingII = await client.binding({ host: other.host, port: primary.port });
  const independent =
    mappingII.ok &&
    mappingII.mapped.host === first.mapped.host &&
    mappingII.mapped.port === first.mapped.port;
  const mappingIII = mappingII.ok && !independent ? await client.binding(other) : null;

  return {
    primary: first,
    failure: null,
    rfc5780: {
      mappedAlternateIp: mappingII.ok ? mappingII.mapped : null,
      mappedAlternateIpPort: mappingIII?.ok ? mappingIII.mapped : null,
      answeredChangeIpPort: filteringVerdict(
        changeBoth,
        (from) => from.host !== primary.host && from.port !== primary.port,
      ),
      answeredChangePort: filteringVerdict(
        changePort,
        (from) => from.host === primary.host && from.port !== primary.port,
      ),
    },
  };
}

/**
 * Behind a filtering NAT the two filtering tests never get an answer: their silence is the
 * verdict, so waiting out the full STUN schedule (2.75 s) would hold up every start. The server
 * just answered test I, so its RTT is known: three tries spaced several RTTs apart (never under
 * FILTERING_MIN_RTO_MS, for scheduling jitter) and a final wait of a few more tell a filtered
 * answer from a lost one well enough — about 0.35 s on a LAN-near server, at most ~1.1 s.
 */
export const FILTERING_MIN_RTO_MS = 50;
/**
 * Caps, because test I's RTT is one sample, taken while the app is still starting (a busy event
 * loop inflates it): even for a 150 ms server the answer would be in before these run out.
 */
export const FILTERING_MAX_RTO_MS = 200;
export const FILTERING_MAX_FINAL_WAIT_MS = 500;
export const FILTERING_TRANSMISSIONS = 3;

export function filteringTiming(rttMs: number): TransactionTiming {
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
  return {
    initialRtoMs: clamp(Math.ceil(3 * rttMs), FILTERING_MIN_RTO_MS, FILTERING_MAX_RTO_MS),
    maxTransmissions: FILTERING_TRANSMISSIONS,
    finalWaitMs: clamp(Math.ceil(5 * rttMs), 4 * FILTERING_MIN_RTO_MS, FILTERING_MAX_FINAL_WAIT_MS),
  };
}

/**
 * true: the changed-address answer got through; false: nothing came (filtered);
 * null: the test says nothing — an error answer, or an answer from an address that was not the
 * changed one (a server ignoring CHANGE-REQUEST would otherwise look like no filtering at all).
 */
function filteringVerdict(
  result: BindingResult,
  fromChanged: (from: Endpoint) => boolean,
): boolean | null {
  if (result.ok) return fromChanged(result.from) ? true : null;
  return result.reason === 'timeout' ? false : null;
}
