import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../time/clock.js';
import { startFakeRouter, type FakeRouter } from './testing/fake-router.js';
import { UpnpClient } from './upnp-client.js';
import { parseSearchAnswer } from './ssdp-search.js';
import { wanService } from './upnp-description.js';

/**
 * The UPnP client against a fake gateway on loopback: an SSDP responder (unicast, standing in for
 * the multicast group) and an HTTP server with a description and a SOAP control URL.
 */
let ssdp: FakeRouter | null = null;
let http: Server | null = null;
afterEach(async () => {
  await ssdp?.close();
  await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  ssdp = null;
  http = null;
});

const DESCRIPTION = `<?xml version="1.0"?><root><device><serviceList>
<service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl/IPConn</controlURL></service>
</serviceList></device></root>`;

const soapAnswer = (inner: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;

interface Call {
  action: string;
  body: string;
}

async function gateway(
  handle: (req: IncomingMessage, body: string) => { status: number; body: string } | null,
  ssdpAnswer?: (httpPort: number) => Buffer | null,
): Promise<{ client: UpnpClient; calls: Call[] }> {
  const calls: Call[] = [];
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const action = /#(\w+)"/.exec(String(req.headers.soapaction ?? ''))?.[1] ?? req.url ?? '';
      calls.push({ action, body });
      const answer = handle(req, body);
      if (!answer) return; // silence: the client's timeout must end it
      res.writeHead(answer.status, { 'Content-Type': 'text/xml' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  ssdp = await startFakeRouter(() =>
    ssdpAnswer
      ? ssdpAnswer(port)
      : Buffer.from(
          `HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://127.0.0.1:${port}/rootDesc.xml\r\n\r\n`,
        ),
  );
  return { client: new UpnpClient(systemClock, { host: '127.0.0.1', port: ssdp.port }), calls };
}

const goodGateway = (req: IncomingMessage) => {
  if (req.url === '/rootDesc.xml') return { status: 200, body: DESCRIPTION };
  const action = /#(\w+)"/.exec(String(req.headers.soapaction))?.[1];
  if (action === 'GetExternalIPAddress')
    return {
      status: 200,
      body: soapAnswer(
        '<u:GetExternalIPAddressResponse><NewExternalIPAddress>203.0.113.7</NewExternalIPAddress></u:GetExternalIPAddressResponse>',
      ),
    };
  return { status: 200, body: soapAnswer(`<u:${action}Response/>`) };
};

describe('UpnpClient', () => {
  it('finds the gateway, maps our port for our own address, and deletes it', async () => {
    const { client, calls } = await gateway(goodGateway);
    expect(await client.map(51820, 7200)).toEqual({
      externalIp: '203.0.113.7',
      externalPort: 51820,
      lifetimeS: 7200,
      routerRestarted: false,
    });
    await client.unmap(51820);
    expect(calls.map((c) => c.action)).toEqual([
      '/rootDesc.xml',
      'GetExternalIPAddress',
      'AddPortMapping',
      'DeletePortMapping',
    ]);
    const add = calls[2]!.body;
    for (const part of [
      '<NewExternalPort>51820</NewExternalPort>',
      '<NewProtocol>UDP</NewProtocol>',
      '<NewInternalPort>51820</NewInternalPort>',
      '<NewInternalClient>127.0.0.1</NewInternalClient>',
      '<NewLeaseDuration>7200</NewLeaseDuration>',
    ])
      expect(add).toContain(part);
  });

  it('fails within a few hundred ms when nothing answers the SSDP search', async () => {
    const { client } = await gateway(goodGateway, () => null);
    const started = Date.now();
    await expect(client.map(51820, 7200)).rejects.toThrow('no UPnP gateway answered');
    expect(Date.now() - started).toBeLessThan(1_200); // 400 ms of SSDP wait, plus a loaded machine
  });

  it('fails within the HTTP timeout when the gateway accepts and then says nothing', async () => {
    const { client } = await gateway(() => null);
    const started = Date.now();
    await expect(client.map(51820, 7200)).rejects.toThrow('did not answer within 500 ms');
    expect(Date.now() - started).toBeLessThan(1_500); // 500 ms of HTTP timeout, plus load
  });

  it('reports the gateway refusal with its UPnP error code', async () => {
    const { client } = await gateway((req, body) => {
      if (body.includes('AddPortMapping'))
        return {
          status: 500,
          body: soapAnswer(
            '<s:Fault><detail><UPnPError><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault>',
          ),
        };
      return goodGateway(req);
    });
    await expect(client.map(51820, 7200)).rejects.toThrow(
      'UPnP AddPortMapping refused: HTTP 500, error 718 (ConflictInMappingEntry)',
    );
  });

  it('refuses a nonsense external address', async () => {
    const { client } = await gateway((req) =>
      req.url === '/rootDesc.xml'
        ? { status: 200, body: DESCRIPTION }
        : {
            status: 200,
            body: soapAnswer('<NewExternalIPAddress>not-an-ip</NewExternalIPAddress>'),
          },
    );
    await expect(client.map(51820, 7200)).rejects.toThrow('no usable external address');
  });

  it('refuses a description larger than a router would write', async () => {
    const { client } = await gateway((req) =>
      req.url === '/rootDesc.xml' ? { status: 200, body: 'x'.repeat(70_000) } : goodGateway(req),
    );
    await expect(client.map(51820, 7200)).rejects.toThrow('exceeds 65536 bytes');
  });
});

describe('parseSearchAnswer', () => {
  const answer = (location: string, st = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1') =>
    Buffer.from(`HTTP/1.1 200 OK\r\nST: ${st}\r\nLOCATION: ${location}\r\n\r\n`);
  it.each([
    ['an answer naming its own address', answer('http://192.168.1.1:5000/rootDesc.xml'), true],
    ['a LOCATION on another host', answer('http://10.0.0.9:5000/rootDesc.xml'), false],
    ['an https LOCATION', answer('https://192.168.1.1/rootDesc.xml'), false],
    ['a LOCATION that is no URL', answer('::::'), false],
    ['another device type', answer('http://192.168.1.1/x', 'upnp:rootdevice'), false],
    ['not a 200', Buffer.from('HTTP/1.1 404 Not Found\r\n\r\n'), false],
    ['an oversized datagram', Buffer.alloc(4000, 65), false],
  ])('takes %s: %s', (_, datagram, usable) => {
    expect(parseSearchAnswer(datagram, '192.168.1.1') !== null).toBe(usable);
  });
});

describe('wanService', () => {
  const location = new URL('http://192.168.1.1:5000/rootDesc.xml');
  it('finds the WAN IP connection control URL, relative to the description', () => {
    expect(wanService(DESCRIPTION, location)?.controlUrl.href).toBe(
      'http://192.168.1.1:5000/ctl/IPConn',
    );
  });
  it('refuses a control URL on another host', () => {
    const elsewhere = DESCRIPTION.replace('/ctl/IPConn', 'http://10.0.0.9/ctl');
    expect(wanService(elsewhere, location)).toBeNull();
  });
  it('finds nothing in a description without a WAN connection service', () => {
    expect(
      wanService('<root><service><serviceType>x</serviceType></service></root>', location),
    ).toBeNull();
  });
});
