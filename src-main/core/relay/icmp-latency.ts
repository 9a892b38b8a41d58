import ping from 'ping';

/**
 * ICMP round-trip time to a host through the system `ping` (the `ping` package), as the seed
 * measured relays and tunnel peers. Three echoes 200 ms apart (the shortest interval iputils
 * allows without root), and the minimum: the distance, not the queueing noise of one moment.
 */
export const ICMP_ECHOES = 3;
/** Whole seconds (ping's -W): a relay farther than a second away is no relay for games. */
export const ICMP_TIMEOUT_S = 1;

/** `echoes` defaults to ICMP_ECHOES; one echo answers in one round trip (no 200 ms gaps). */
export type LatencyProbe = (host: string, echoes?: number) => Promise<number | null>;

export const icmpLatency: LatencyProbe = async (host, echoes = ICMP_ECHOES) => {
  try {
    const result = await ping.promise.probe(host, {
      timeout: ICMP_TIMEOUT_S,
      min_reply: echoes,
      extra: echoes > 1 ? ['-i', '0.2'] : [],
    });
    if (!result.alive) return null;
    const min = Number(result.min);
    return Number.isFinite(min) ? min : null;
  } catch {
    // No ping binary, or it failed to start: the relay counts as unmeasured, not as an error.
    return null;
  }
};
