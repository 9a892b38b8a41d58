/**
 * Deterministic byte mutators for fuzz tests (seeded, so a failure reproduces). Test-only helper,
 * shared by every parser's fuzz test.
 */
/** mulberry32: seeded, so a failing fuzz run can be replayed; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, maxLength: number): Uint8Array {
  const out = new Uint8Array(Math.floor(random() * (maxLength + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Flips bytes, truncates, extends or splices a valid packet: the inputs that reach deepest. */
export function mutate(random: () => number, valid: Uint8Array): Uint8Array {
  const choice = Math.floor(random() * 4);
  const copy = new Uint8Array(valid);
  if (choice === 0) {
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips && copy.length > 0; i++) {
      copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    }
    return copy;
  }
  if (choice === 1) return copy.subarray(0, Math.floor(random() * copy.length));
  if (choice === 2) {
    const extra = randomBytes(random, 16);
    const out = new Uint8Array(copy.length + extra.length);
    out.set(copy);
    out.set(extra, copy.length);
    return out;
  }
  const at = Math.floor(random() * (copy.length + 1));
  const insert = randomBytes(random, 8);
  const out = new Uint8Array(copy.length + insert.length);
  out.set(copy.subarray(0, at));
  out.set(insert, at);
  out.set(copy.subarray(at), at + insert.length);
  return out;
}
