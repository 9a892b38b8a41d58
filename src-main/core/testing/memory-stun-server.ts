import { answerBinding, type SocketRole } from '../../../src-server/stun/binding-answer.js';
import type { Endpoint } from '../../../src-shared/domain/endpoint.js';
import type { MemoryInternet, MemorySocket } from './memory-internet.js';

/**
 * The real STUN server's answers (answerBinding, RFC 5780: two IPs × two ports) on the in-memory
 * internet, so NAT detection runs unchanged against NATs of every kind.
 */
export interface MemoryStunServer {
  /** "ip:port" of the primary address, as a client is configured with it. */
  endpoint: string;
}

export function startMemoryStunServer(
  internet: MemoryInternet,
  primaryIp: string,
  alternateIp: string,
  ports: [number, number] = [3478, 3479],
): MemoryStunServer {
  const hosts = { p: internet.publicHost(primaryIp), a: internet.publicHost(alternateIp) };
  const sockets = new Map<SocketRole, MemorySocket>();
  const addresses: Partial<Record<SocketRole, Endpoint>> = {};
  for (const ip of ['p', 'a'] as const) {
    for (const [i, port] of ports.entries()) {
      const role = `${ip}${i === 0 ? 'p' : 'a'}` as SocketRole;
      sockets.set(role, hosts[ip].bind(port));
      addresses[role] = { host: hosts[ip].ip, port };
    }
  }
  for (const [role, socket] of sockets) {
    socket.onMessage((data, from) => {
      const answer = answerBinding(data, {
        receivedOn: role,
        from: { host: from.address, port: from.port },
        addresses,
        rfc5780: true,
        originKnown: true,
      });
      if (answer.kind === 'reply')
        sockets.get(answer.via)?.send(answer.bytes, from.port, from.address);
    });
  }
  return { endpoint: `${primaryIp}:${ports[0]}` };
}
