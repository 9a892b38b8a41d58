import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { startRelay, type RelayHandle } from '../../../src-server/relay/relay-server.js';
import type { Clock } from '../time/clock.js';
import type { MemoryHost, MemorySocket } from './memory-internet.js';

/**
 * The real relay server (src-server/relay) on a host of the in-memory internet: its UDP socket is
 * a memory socket dressed as the few dgram.Socket calls the relay makes, and its clock (token
 * expiry, rate limits) is the test's.
 */
class MemoryDgramSocket extends EventEmitter {
  private socket: MemorySocket | null = null;

  constructor(private readonly host: MemoryHost) {
    super();
  }

  bind(port: number, _address: string, callback: () => void): void {
    const socket = this.host.bind(port);
    socket.onMessage((data, from) =>
      this.emit('message', data, { ...from, family: 'IPv4', size: data.length }),
    );
    this.socket = socket;
    queueMicrotask(callback);
  }

  address(): { address: string; port: number; family: string } {
    if (!this.socket) throw new Error('not bound');
    return { address: this.host.ip, port: this.socket.port, family: 'IPv4' };
  }

  send(
    data: Buffer,
    port: number,
    address: string,
    callback?: (error: Error | null) => void,
  ): void {
    this.socket?.send(data, port, address);
    callback?.(null);
  }

  close(callback?: () => void): void {
    this.socket?.close();
    this.socket = null;
    queueMicrotask(() => callback?.());
  }
}

export async function startMemoryRelay(
  host: MemoryHost,
  secret: Uint8Array,
  clock: Clock,
  port = 7401,
): Promise<RelayHandle> {
  return startRelay({
    secret,
    host: host.ip,
    port,
    now: () => clock.now(),
    // The relay uses only bind/address/send/close/on('message'|'error'): those are here.
    createSocket: () => new MemoryDgramSocket(host) as unknown as dgram.Socket,
  });
}
