import type { Logger } from '../../../src-common/logging/logger.js';
import type { Clock } from '../time/clock.js';
import { defaultGateway } from './default-gateway.js';
import type { MappingProtocol } from './mapping-protocol.js';
import { NAT_PMP_PORT } from './nat-pmp-codec.js';
import { NatPmpClient } from './nat-pmp-client.js';
import { PcpClient } from './pcp-client.js';
import { UpnpClient } from './upnp-client.js';

/**
 * The mapping protocols to try on this machine's router, in order of preference: PCP (the
 * newest, and the only one that also speaks for IPv6 firewalls), then NAT-PMP (its predecessor,
 * on the same router port), both sent to the default gateway (RFC 6886 §3.1, RFC 6887 §8.1);
 * then UPnP IGD, found by SSDP multicast (the most widespread, and the heaviest to speak).
 */
export async function routerProtocols(clock: Clock, log: Logger): Promise<MappingProtocol[]> {
  const gateway = await defaultGateway();
  const upnp = new UpnpClient(clock);
  if (!gateway) {
    log.info('no IPv4 default gateway known: PCP and NAT-PMP not tried');
    return [upnp];
  }
  const at = { host: gateway, port: NAT_PMP_PORT };
  return [new PcpClient(at, clock), new NatPmpClient(at, clock), upnp];
}
