import type { LatencySample } from '../stores/party-store';
import { SPARKLINE_WINDOW_MS } from '../stores/party-store';

/**
 * The sparkline's geometry, as a pure function of the samples (sparkline.tsx only draws it): latency
 * over the last five minutes, newest at the right, scaled to its own peak, ending in a dot at the
 * newest sample.
 */
export const SPARKLINE_WIDTH = 120;
export const SPARKLINE_HEIGHT = 28;
/** The newest sample's dot; the line stops this far from the right edge so the dot is whole. */
export const DOT_RADIUS = 2;
const RIGHT = SPARKLINE_WIDTH - DOT_RADIUS;
/** Room above the peak and below zero, so the line and the dot are not cut by the frame. */
const PAD_Y = 2;
/**
 * The x axis spans the samples' own age, at least this much and at most the 5-minute window: a
 * peer seen ten seconds ago gets a readable line instead of a dot at the right edge.
 */
const MIN_SPAN_MS = 30_000;
/**
 * A peer with a single sample (just connected) gets a flat stroke this long at its value: enough
 * to read as a level beside the dot, too short to pass for a history it does not have yet.
 */
export const SINGLE_SAMPLE_STROKE = 10;

export interface SparklineShape {
  /** SVG path data. */
  d: string;
  /** The newest sample's point. */
  end: { x: number; y: number };
  peakMs: number;
  nowMs: number;
}

/** null when there is nothing to draw (no sample yet). */
export function sparklineShape(
  samples: readonly LatencySample[],
  now: number,
): SparklineShape | null {
  const last = samples[samples.length - 1];
  if (last === undefined) return null;
  const peak = Math.max(...samples.map((s) => s.ms), 1);
  const span = Math.min(SPARKLINE_WINDOW_MS, Math.max(MIN_SPAN_MS, now - samples[0]!.t));
  const x = (t: number) => Math.max(0, RIGHT - ((now - t) / span) * RIGHT);
  const y = (ms: number) => SPARKLINE_HEIGHT - PAD_Y - (ms / peak) * (SPARKLINE_HEIGHT - 2 * PAD_Y);
  const end = { x: x(last.t), y: y(last.ms) };
  const points =
    samples.length === 1
      ? [{ x: Math.max(0, end.x - SINGLE_SAMPLE_STROKE), y: end.y }, end]
      : samples.map((s) => ({ x: x(s.t), y: y(s.ms) }));
  const d = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
    .join(' ');
  return { d, end, peakMs: peak, nowMs: last.ms };
}
