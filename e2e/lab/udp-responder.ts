import { createSocket, type Socket } from 'node:dgram';
import { encodeEchoReply, parseEchoRequest, type ReplyFrom } from './echo-protocol.js';

/**
 * The lab's STUN stand-in, run inside the internet namespace:
 *
 *   node --import tsx udp-responder.ts <ip1> <ip2> <port1> <port2>
 *
 * Binds all four ip:port combinations, answers each request (echo-protocol.ts) from the socket it
 * asks for, prints "ready" once bound. Malformed datagrams are dropped without a reply.
 */
const [ip1, ip2, port1Text, port2Text] = process.argv.slice(2);
if (!ip1 || !ip2 || !port1Text || !port2Text) {
  process.stderr.write('usage: udp-responder.ts <ip1> <ip2> <port1> <port2>\n');
  process.exit(2);
}
const ips = [ip1, ip2] as const;
const ports = [Number(port1Text), Number(port2Text)] as const;

// sockets[i][j] is bound to ips[i]:ports[j]
const sockets: Socket[][] = [];

function bind(ip: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, ip, () => resolve(socket));
  });
}

function answering(i: number, j: number, replyFrom: ReplyFrom): Socket | undefined {
  const otherIp = replyFrom === 'other-ip' || replyFrom === 'other-both' ? 1 - i : i;
  const otherPort = replyFrom === 'other-port' || replyFrom === 'other-both' ? 1 - j : j;
  return sockets[otherIp]?.[otherPort];
}

for (const [i, ip] of ips.entries()) {
  sockets.push([]);
  for (const [j, port] of ports.entries()) {
    const socket = await bind(ip, port);
    sockets[i]?.push(socket);
    socket.on('message', (message, rinfo) => {
      const request = parseEchoRequest(message);
      if (!request.ok) return;
      const reply = answering(i, j, request.value.replyFrom);
      if (!reply) return;
      const via = reply.address();
      reply.send(
        encodeEchoReply({
          id: request.value.id,
          mapped: { host: rinfo.address, port: rinfo.port },
          via: { host: via.address, port: via.port },
        }),
        rinfo.port,
        rinfo.address,
      );
    });
  }
}
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('ready\n');
