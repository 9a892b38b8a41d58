import { describe, expect, it } from 'vitest';
import {
  allocateVirtualIp,
  isVirtualIp,
  VIRTUAL_IP_CAPACITY,
  virtualIpAt,
} from './virtual-ip-pool.js';

describe('virtual IP pool', () => {
  it.each([
    [0, '10.66.0.1'],
    [253, '10.66.0.254'],
    [254, '10.66.1.1'],
    [VIRTUAL_IP_CAPACITY - 1, '10.66.255.254'],
  ])('address #%i is %s (filled /24 by /24, skipping .0 and .255)', (index, ip) => {
    expect(virtualIpAt(index)).toBe(ip);
  });

  it('hands out the lowest free address', () => {
    expect(allocateVirtualIp(new Set())).toBe('10.66.0.1');
    expect(allocateVirtualIp(new Set(['10.66.0.1', '10.66.0.3']))).toBe('10.66.0.2');
  });

  it('moves to the next /24 when one is full', () => {
    const used = new Set(Array.from({ length: 254 }, (_, i) => virtualIpAt(i)));
    expect(allocateVirtualIp(used)).toBe('10.66.1.1');
  });

  it('gives a returning member its old address when nobody holds it', () => {
    expect(allocateVirtualIp(new Set(['10.66.0.1']), '10.66.0.7')).toBe('10.66.0.7');
  });

  it('gives a returning member a new address when its old one is taken', () => {
    expect(allocateVirtualIp(new Set(['10.66.0.1', '10.66.0.7']), '10.66.0.7')).toBe('10.66.0.2');
  });

  it('ignores a remembered address outside the pool', () => {
    expect(allocateVirtualIp(new Set(), '192.168.1.1')).toBe('10.66.0.1');
    expect(allocateVirtualIp(new Set(), '10.66.0.255')).toBe('10.66.0.1');
  });

  it('says so when the /16 is full', () => {
    const used = new Set(Array.from({ length: VIRTUAL_IP_CAPACITY }, (_, i) => virtualIpAt(i)));
    expect(allocateVirtualIp(used)).toBeNull();
  });

  it('knows its own addresses', () => {
    expect(isVirtualIp('10.66.3.4')).toBe(true);
    expect(isVirtualIp('10.66.3.0')).toBe(false);
    expect(isVirtualIp('10.66.256.1')).toBe(false);
    expect(isVirtualIp('10.67.0.1')).toBe(false);
  });
});
