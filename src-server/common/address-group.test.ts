import { describe, expect, it } from 'vitest';
import { addressGroup } from './address-group.js';

describe('addressGroup', () => {
  it('counts an IPv4 address as itself', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
  });
  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });
  it('counts every address of one IPv6 /64 as one group', () => {
    expect(addressGroup('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
  });
  it('tells different IPv6 /64s apart', () => {
    expect(addressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });
  it('expands a /64 written with a double colon', () => {
    expect(addressGroup('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
  });
});
