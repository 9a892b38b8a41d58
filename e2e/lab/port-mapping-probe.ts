import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { systemClock } from '../../src-main/core/time/clock.js';
import type { MappingProtocol } from '../../src-main/core/portmap/mapping-protocol.js';
import { NatPmpClient } from '../../src-main/core/portmap/nat-pmp-client.js';
import { PcpClient } from '../../src-main/core/portmap/pcp-client.js';
import { UpnpClient } from '../../src-main/core/portmap/upnp-client.js';

/**
 * Lab helper, run inside a player's namespace: binds a UDP port, maps it on the router with one
 * protocol of LANrage's own clients, and reports as it goes, one JSON line each:
 *   {"mapped": {...}}          the router's answer
 *   {"received": "ip:port"}    a datagram reached the bound port from outside
 *   {"unmapped": true}         after "unmap" on stdin, the deletion was answered
 *   {"error": "..."}           anything failed (then it exits 1)
 * Usage: port-mapping-probe <pcp|nat-pmp|upnp> <gateway> <port> (UPnP finds the gateway by SSDP)
 */
const [protocolName, gateway, portText] = process.argv.slice(2);
const port = Number(portText);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

function client(): MappingProtocol {
  const at = { host: gateway!, port: 5351 };
  if (protocolName === 'pcp') return new PcpClient(at, systemClock);
  if (protocolName === 'nat-pmp') return new NatPmpClient(at, systemClock);
  if (protocolName === 'upnp') return new UpnpClient(systemClock);
  throw new Error(`unknown protocol ${protocolName}`);
}

async function main(): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, resolve));
  socket.on('message', (_message, from) => say({ received: `${from.address}:${from.port}` }));
  const protocol = client();
  const started = performance.now();
  const mapped = await protocol.map(port, 120);
  say({ mapped: { ...mapped, afterMs: Math.round(performance.now() - started) } });
  say({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'unmap') continue;
    await protocol.unmap(port);
    say({ unmapped: true });
    socket.close();
    return;
  }
}

main().catch((error: Error) => {
  say({ error: error.message });
  process.exit(1);
});
