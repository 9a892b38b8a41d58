import { describe, expect, it } from 'vitest';
import { discoveryGroupProblem } from './discovery-groups.js';

describe('discoveryGroupProblem', () => {
  it.each([
    ['224.0.2.60', null],
    ['239.1.2.3', null],
    ['224.0.1.1', null],
    ['239.255.255.255', null],
    ['224.0.0.251', 'is in 224.0.0.0/24 (mDNS, LLMNR, IGMP), which stays on the home network'],
    ['224.0.0.252', 'is in 224.0.0.0/24 (mDNS, LLMNR, IGMP), which stays on the home network'],
    ['239.255.255.250', 'is SSDP (UPnP), which stays on the home network'],
    ['10.66.0.1', 'must be an IPv4 multicast group (224.0.0.0 to 239.255.255.255)'],
    ['240.0.0.1', 'must be an IPv4 multicast group (224.0.0.0 to 239.255.255.255)'],
    ['224.0.2.060', 'must be a dotted IPv4 address such as 224.0.2.60'],
    ['ff02::fb', 'must be a dotted IPv4 address such as 224.0.2.60'],
    ['224.0.2', 'must be a dotted IPv4 address such as 224.0.2.60'],
  ])('says of %s: %s', (group, want) => {
    expect(discoveryGroupProblem(group)).toBe(want);
  });
});
