import type { LatencySample } from '../stores/party-store';
import {
  DOT_RADIUS,
  SPARKLINE_HEIGHT as HEIGHT,
  SPARKLINE_WIDTH as WIDTH,
  sparklineShape,
} from './sparkline-shape';

/** Latency over the last five minutes (geometry in sparkline-shape.ts). */
export function Sparkline({
  samples,
  now,
}: {
  samples: readonly LatencySample[] | undefined;
  now: number;
}) {
  const shape = sparklineShape(samples ?? [], now);
  if (shape === null) {
    return (
      <svg
        className="sparkline sparkline--empty"
        width={WIDTH}
        height={HEIGHT}
        aria-hidden="true"
      />
    );
  }
  return (
    <svg
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Latency over the last 5 minutes: peak ${Math.round(shape.peakMs)} ms, now ${Math.round(shape.nowMs)} ms`}
    >
      <line className="sparkline__base" x1="0" x2={WIDTH} y1={HEIGHT - 1} y2={HEIGHT - 1} />
      <path d={shape.d} fill="none" strokeWidth="1.5" />
      <circle className="sparkline__now" cx={shape.end.x} cy={shape.end.y} r={DOT_RADIUS} />
    </svg>
  );
}
