import {
  LATENCY_HISTORY_LENGTH,
  LATENCY_HISTORY_STEP_MS,
} from '../../../src-shared/domain/core-status.js';

/**
 * A peer's last five minutes of RTTs for the UI's sparkline, as LATENCY_HISTORY_LENGTH buckets of
 * LATENCY_HISTORY_STEP_MS each, the newest (still filling) last. A bucket holds the worst RTT
 * measured in it: a sparkline that shrinks five seconds into one point should keep the spike a
 * player felt, not average it away. A bucket with no RTT (the path was down) is null, so every
 * value stays at its true distance from now. Sixty numbers cover five minutes: a window opened late
 * shows the same chart as one open all along, at the push size a minute of one-a-second samples had.
 */
export class LatencyHistory {
  /** Bucket index (unix ms / step) → worst RTT in it; at most LATENCY_HISTORY_LENGTH, in order. */
  private readonly buckets = new Map<number, number>();

  add(rttMs: number, now: number): void {
    const index = Math.floor(now / LATENCY_HISTORY_STEP_MS);
    this.buckets.set(index, Math.max(rttMs, this.buckets.get(index) ?? rttMs));
    for (const old of this.buckets.keys()) {
      if (old > index - LATENCY_HISTORY_LENGTH) break;
      this.buckets.delete(old);
    }
  }

  /** Oldest first, ending with the bucket `now` falls in; leading empty buckets are left out. */
  values(now: number): (number | null)[] {
    const end = Math.floor(now / LATENCY_HISTORY_STEP_MS);
    const out: (number | null)[] = [];
    for (let index = end - LATENCY_HISTORY_LENGTH + 1; index <= end; index++) {
      const rtt = this.buckets.get(index);
      if (rtt === undefined && out.length === 0) continue;
      out.push(rtt ?? null);
    }
    return out;
  }
}
