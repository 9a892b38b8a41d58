import { describe, expect, it } from 'vitest';
import { MemoryNat } from './memory-nat.js';

const INSIDE = { ip: '192.168.1.10', port: 51820 };
const PEER = { ip: '192.0.2.2', port: 40000 };

describe('MemoryNat port forwards (a mapping the router granted)', () => {
  it('lets anyone in, and answers them from the forwarded port', () => {
    // random() = 0.25 draws port 1024 + floor(0.25 × 64,512) = 17,152 for a new mapping.
    const nat = new MemoryNat('symmetric', '192.0.2.1', () => 0.25);
    nat.forward(51000, INSIDE);
    expect(nat.inbound(PEER, 51000)).toEqual(INSIDE);
    expect(nat.outbound(INSIDE, PEER)).toBe(51000);
    // Anyone else the inside host sends to first gets a mapping of its own (symmetric).
    expect(nat.outbound(INSIDE, { ip: '192.0.2.3', port: 1 })).toBe(17_152);
  });

  it('drops a forwarded packet that collides with a mapping the inside host made first', () => {
    const nat = new MemoryNat('symmetric', '192.0.2.1');
    nat.forward(51000, INSIDE);
    nat.outbound(INSIDE, PEER);
    expect(nat.inbound(PEER, 51000)).toBeNull();
  });
});
