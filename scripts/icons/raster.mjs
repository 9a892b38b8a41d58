// A tiny anti-aliased rasteriser for icons: shapes are signed distance functions (negative inside)
// in a unit square (0..1 on both axes), filled with "source over" compositing.
// Coverage of a pixel = clamp(0.5 - distance in pixels): one pixel of smooth edge at every size,
// which is what lets the same drawing stay crisp at 16 px and at 1024 px.

/** @typedef {(x: number, y: number) => number} Sdf  distance in unit-square units */
/** @typedef {[number, number, number, number]} Rgba  0..1 straight alpha */

export function circle(cx, cy, r) {
  return (x, y) => Math.hypot(x - cx, y - cy) - r;
}

export function roundedRect(cx, cy, halfW, halfH, radius) {
  return (x, y) => {
    const qx = Math.abs(x - cx) - halfW + radius;
    const qy = Math.abs(y - cy) - halfH + radius;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

/** A line from a to b with round caps, `halfWidth` either side. */
export function capsule(ax, ay, bx, by, halfWidth) {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / lengthSquared));
    return Math.hypot(x - ax - t * dx, y - ay - t * dy) - halfWidth;
  };
}

export function union(...shapes) {
  return (x, y) => Math.min(...shapes.map((shape) => shape(x, y)));
}

export function subtract(shape, hole) {
  return (x, y) => Math.max(shape(x, y), -hole(x, y));
}

/** "#rrggbb" or "#rrggbbaa" → Rgba. */
export function hex(text) {
  const v = text.replace('#', '');
  const part = (i) => parseInt(v.slice(i, i + 2), 16) / 255;
  return [part(0), part(2), part(4), v.length === 8 ? part(6) : 1];
}

/** Vertical gradient from `top` (y = y0) to `bottom` (y = y1). */
export function verticalGradient(top, bottom, y0 = 0, y1 = 1) {
  return (_x, y) => {
    const t = Math.max(0, Math.min(1, (y - y0) / (y1 - y0)));
    return top.map((c, i) => c + (bottom[i] - c) * t);
  };
}

export class Canvas {
  constructor(size) {
    this.size = size;
    /** premultiplied RGBA, 0..1 */
    this.pixels = new Float64Array(size * size * 4);
  }

  /**
   * @param {Sdf} shape
   * @param {Rgba | ((x: number, y: number) => Rgba)} paint
   */
  fill(shape, paint) {
    const { size, pixels } = this;
    const colourAt = typeof paint === 'function' ? paint : () => paint;
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const x = (px + 0.5) / size;
        const y = (py + 0.5) / size;
        const coverage = Math.max(0, Math.min(1, 0.5 - shape(x, y) * size));
        if (coverage === 0) continue;
        const [r, g, b, a] = colourAt(x, y);
        const alpha = a * coverage;
        const i = (py * size + px) * 4;
        const keep = 1 - alpha;
        pixels[i] = r * alpha + pixels[i] * keep;
        pixels[i + 1] = g * alpha + pixels[i + 1] * keep;
        pixels[i + 2] = b * alpha + pixels[i + 2] * keep;
        pixels[i + 3] = alpha + pixels[i + 3] * keep;
      }
    }
    return this;
  }

  /** Straight-alpha 8-bit RGBA, as PNG wants it. */
  toRgba8() {
    const out = new Uint8Array(this.pixels.length);
    for (let i = 0; i < this.pixels.length; i += 4) {
      const a = this.pixels[i + 3];
      out[i + 3] = Math.round(a * 255);
      if (a === 0) continue;
      for (let c = 0; c < 3; c++)
        out[i + c] = Math.round(Math.min(1, this.pixels[i + c] / a) * 255);
    }
    return out;
  }
}
