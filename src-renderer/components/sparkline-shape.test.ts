import { describe, expect, it } from 'vitest';
import { sparklineShape } from './sparkline-shape';

// The frame is 120 × 28: the line runs from x 0 to 118 (the dot's radius short of the edge),
// from y 26 (0 ms) up to y 2 (the peak).
describe('sparklineShape', () => {
  it('draws nothing before the first sample', () => {
    expect(sparklineShape([], 100_000)).toBeNull();
  });

  it('shows a just-connected peer’s single sample as a short flat stroke ending in a dot', () => {
    const shape = sparklineShape([{ t: 100_000, ms: 23 }], 100_000);
    expect(shape).toEqual({
      d: 'M108.0,2.0 L118.0,2.0',
      end: { x: 118, y: 2 },
      peakMs: 23,
      nowMs: 23,
    });
  });

  it('puts a 0 ms single sample on the floor, not off the frame', () => {
    expect(sparklineShape([{ t: 5_000, ms: 0 }], 5_000)?.d).toBe('M108.0,26.0 L118.0,26.0');
  });

  it('scales the line to its own peak, newest sample at the right', () => {
    const shape = sparklineShape(
      [
        { t: 70_000, ms: 10 },
        { t: 100_000, ms: 20 },
      ],
      100_000,
    );
    expect(shape?.d).toBe('M0.0,14.0 L118.0,2.0');
    expect(shape?.end).toEqual({ x: 118, y: 2 });
    expect(shape?.peakMs).toBe(20);
    expect(shape?.nowMs).toBe(20);
  });

  it('spans at least 30 seconds, so a few seconds of samples are a short line at the right', () => {
    const shape = sparklineShape(
      [
        { t: 95_000, ms: 20 },
        { t: 100_000, ms: 20 },
      ],
      100_000,
    );
    expect(shape?.d).toBe('M98.3,2.0 L118.0,2.0');
  });

  it('spans at most five minutes: anything older sits on the left edge', () => {
    const shape = sparklineShape(
      [
        { t: 0, ms: 5 },
        { t: 400_000, ms: 10 },
      ],
      400_000,
    );
    expect(shape?.d).toBe('M0.0,14.0 L118.0,2.0');
  });
});
