import { request } from 'node:http';
import { isIPv4 } from 'node:net';
import type { Clock } from '../time/clock.js';
import type { MappedPort, MappingProtocol } from './mapping-protocol.js';
import { searchGateway, SSDP_GROUP } from './ssdp-search.js';
import {
  MAX_DESCRIPTION_BYTES,
  soapValue,
  wanService,
  type WanService,
} from './upnp-description.js';

/**
 * UPnP IGD client (WANIPConnection / WANPPPConnection): finds the gateway by SSDP, reads its
 * description for the control URL, then SOAP: GetExternalIPAddress, AddPortMapping (UDP, the
 * same port outside as inside, for our own LAN address), DeletePortMapping. The gateway found is
 * kept for renewals and the deletion.
 */

/**
 * Each HTTP exchange with the gateway: a router answers in milliseconds; 500 ms bounds what a
 * router that accepts the connection and then says nothing costs.
 */
export const UPNP_HTTP_TIMEOUT_MS = 500;
/** SOAP answers are under a KiB; the description has its own limit. */
const MAX_SOAP_BYTES = 16 * 1024;
/** How we name our mappings in the router's table. */
const MAPPING_DESCRIPTION = 'LANrage';

interface Gateway {
  service: WanService;
  /** Our own address towards the gateway (the mapping's internal client). */
  localAddress: string;
}

interface HttpAnswer {
  status: number;
  body: string;
  localAddress: string;
}

function http(
  url: URL,
  o: { method: string; headers?: Record<string, string>; body?: string; maxBytes: number },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: o.method, headers: o.headers, timeout: UPNP_HTTP_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBytes) {
            req.destroy(new Error(`UPnP answer from ${url.host} exceeds ${o.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            localAddress: req.socket?.localAddress ?? '',
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(`UPnP gateway ${url.host} did not answer within ${UPNP_HTTP_TIMEOUT_MS} ms`),
      ),
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

function envelope(
  action: string,
  serviceType: string,
  args: Record<string, string | number>,
): string {
  const inner = Object.entries(args)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('');
  return (
    '<?xml version="1.0"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${serviceType}">${inner}</u:${action}></s:Body></s:Envelope>`
  );
}

export class UpnpClient implements MappingProtocol {
  readonly name = 'upnp' as const;
  private gateway: Gateway | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly ssdpTarget = SSDP_GROUP,
  ) {}

  async map(internalPort: number, lifetimeS: number): Promise<MappedPort> {
    const gateway = this.gateway ?? (await this.discover());
    const external = await this.soap(gateway, 'GetExternalIPAddress', {});
    const externalIp = soapValue(external, 'NewExternalIPAddress') ?? '';
    if (!isIPv4(externalIp) || externalIp === '0.0.0.0')
      throw new Error(
        `UPnP gateway reports no usable external address (${JSON.stringify(externalIp.slice(0, 40))})`,
      );
    await this.soap(gateway, 'AddPortMapping', {
      NewRemoteHost: '',
      NewExternalPort: internalPort,
      NewProtocol: 'UDP',
      NewInternalPort: internalPort,
      NewInternalClient: gateway.localAddress,
      NewEnabled: 1,
      NewPortMappingDescription: MAPPING_DESCRIPTION,
      NewLeaseDuration: lifetimeS,
    });
    // IGD has no granted lifetime in its answer: the lease asked is the lease held.
    return { externalIp, externalPort: internalPort, lifetimeS, routerRestarted: false };
  }

  async unmap(internalPort: number): Promise<void> {
    const gateway = this.gateway;
    if (!gateway) return;
    await this.soap(gateway, 'DeletePortMapping', {
      NewRemoteHost: '',
      NewExternalPort: internalPort,
      NewProtocol: 'UDP',
    });
  }

  private async discover(): Promise<Gateway> {
    const answer = await searchGateway(this.clock, this.ssdpTarget);
    if (!answer) throw new Error('no UPnP gateway answered the SSDP search');
    const description = await http(answer.location, {
      method: 'GET',
      maxBytes: MAX_DESCRIPTION_BYTES,
    });
    if (description.status !== 200)
      throw new Error(
        `UPnP description at ${answer.location.href} answered HTTP ${description.status}`,
      );
    const service = wanService(description.body, answer.location);
    if (!service) throw new Error(`UPnP gateway ${answer.from} offers no WAN connection service`);
    if (!isIPv4(description.localAddress))
      throw new Error('UPnP gateway reached over a non-IPv4 connection');
    this.gateway = { service, localAddress: description.localAddress };
    return this.gateway;
  }

  private async soap(
    gateway: Gateway,
    action: string,
    args: Record<string, string | number>,
  ): Promise<string> {
    const answer = await http(gateway.service.controlUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml; charset="utf-8"',
        SOAPAction: `"${gateway.service.serviceType}#${action}"`,
      },
      body: envelope(action, gateway.service.serviceType, args),
      maxBytes: MAX_SOAP_BYTES,
    });
    if (answer.status !== 200) {
      const code = soapValue(answer.body, 'errorCode');
      const text = soapValue(answer.body, 'errorDescription');
      // The gateway may have restarted or changed: find it afresh next time.
      this.gateway = null;
      throw new Error(
        `UPnP ${action} refused: HTTP ${answer.status}${code ? `, error ${code.slice(0, 8)}` : ''}${text ? ` (${text.slice(0, 80)})` : ''}`,
      );
    }
    return answer.body;
  }
}
