/**
 * Delay before reconnect attempt `attempt` (0-based): exponential from `baseMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random). The jitter spreads a thousand
 * clients that lost the server at the same moment, so its restart is not met by a stampede;
 * the fixed half keeps any one client from retrying in a tight loop.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injected so tests are exact. */
  random: () => number;
}

export function reconnectDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.min(attempt, 30); // 2^30 × base already exceeds any sane cap
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}
