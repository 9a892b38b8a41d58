import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ipv6Candidates, isGlobalIpv6 } from './ipv6-candidates.js';

describe('isGlobalIpv6', () => {
  it.each([
    ['2001:db8:3::2', true],
    ['2a01:4f8::1', true],
    ['3fff::1', true],
    ['fe80::1', false],
    ['fd12:3456::1', false],
    ['::1', false],
    ['::', false],
    ['::ffff:192.0.2.1', false],
    ['ff02::1', false],
    ['192.0.2.1', false],
  ])('%s is global: %s', (address, want) => {
    expect(isGlobalIpv6(address)).toBe(want);
  });
});

describe('ipv6Candidates', () => {
  const v6 = (address: string, internal = false): NetworkInterfaceInfo => ({
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '00:00:00:00:00:00',
    internal,
    cidr: `${address}/64`,
    scopeid: 0,
  });
  const v4: NetworkInterfaceInfo = {
    address: '192.168.1.2',
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '00:00:00:00:00:00',
    internal: false,
    cidr: '192.168.1.2/24',
  };

  it('offers every global IPv6 address with the given port, bracketed', () => {
    expect(
      ipv6Candidates(7000, {
        lo: [v6('::1', true)],
        eth0: [v4, v6('2001:db8:3::2'), v6('fe80::1')],
        wlan0: [v6('2a01:4f8::9'), v6('fd00::5')],
        lanrage0: [v6('2001:db8:99::1')],
      }),
    ).toEqual(['[2001:db8:3::2]:7000', '[2a01:4f8::9]:7000']);
  });

  it('offers none on a host without global IPv6', () => {
    expect(ipv6Candidates(7000, { eth0: [v4, v6('fe80::1')] })).toEqual([]);
  });
});
