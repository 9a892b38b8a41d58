import { describe, expect, it } from 'vitest';
import { mappingRoute, type AnnouncedMapping } from './port-mapping.js';

const PCP: AnnouncedMapping = { endpoint: '203.0.113.7:40000', protocol: 'pcp' };
const UPNP: AnnouncedMapping = { endpoint: '198.51.100.9:51820', protocol: 'upnp' };

describe('mappingRoute', () => {
  it.each([
    // self key, self mapping, peer key, peer mapping, route
    ['a', null, 'b', null, null],
    ['a', null, 'b', PCP, { role: 'send', endpoint: '203.0.113.7:40000', protocol: 'pcp' }],
    ['b', null, 'a', PCP, { role: 'send', endpoint: '203.0.113.7:40000', protocol: 'pcp' }],
    ['a', PCP, 'b', null, { role: 'answer', protocol: 'pcp' }],
    ['b', PCP, 'a', null, { role: 'answer', protocol: 'pcp' }],
    ['a', PCP, 'b', UPNP, { role: 'send', endpoint: '198.51.100.9:51820', protocol: 'upnp' }],
    ['b', UPNP, 'a', PCP, { role: 'answer', protocol: 'upnp' }],
  ] as const)('%s with %j, peer %s with %j: %j', (selfKey, self, peerKey, peer, want) => {
    expect(
      mappingRoute({ publicKey: selfKey, mapping: self }, { publicKey: peerKey, mapping: peer }),
    ).toEqual(want);
  });
});
