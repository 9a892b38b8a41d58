import type { LatencySample } from '../stores/party-store';
import { SPARKLINE_WINDOW_MS } from '../stores/party-store';

const WIDTH = 120;
const HEIGHT = 28;
/**
 * The x axis spans the samples' own age, at least this much and at most the 5-minute window: a
 * peer seen ten seconds ago gets a readable line instead of a dot at the right edge.
 */
const MIN_SPAN_MS = 30_000;

/** Latency over the last five minutes, newest at the right; scaled to its own peak. */
export function Sparkline({
  samples,
  now,
}: {
  samples: readonly LatencySample[] | undefined;
  now: number;
}) {
  const points = samples ?? [];
  if (points.length < 2) {
    return (
      <svg
        className="sparkline sparkline--empty"
        width={WIDTH}
        height={HEIGHT}
        aria-hidden="true"
      />
    );
  }
  const peak = Math.max(...points.map((p) => p.ms), 1);
  const span = Math.min(SPARKLINE_WINDOW_MS, Math.max(MIN_SPAN_MS, now - points[0]!.t));
  const d = points
    .map((p, i) => {
      const x = WIDTH - ((now - p.t) / span) * WIDTH;
      const y = HEIGHT - 2 - (p.ms / peak) * (HEIGHT - 4);
      return `${i === 0 ? 'M' : 'L'}${Math.max(0, x).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const last = points[points.length - 1]!;
  return (
    <svg
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Latency over the last 5 minutes: peak ${Math.round(peak)} ms, now ${Math.round(last.ms)} ms`}
    >
      <line className="sparkline__base" x1="0" x2={WIDTH} y1={HEIGHT - 1} y2={HEIGHT - 1} />
      <path d={d} fill="none" strokeWidth="1.5" />
    </svg>
  );
}
