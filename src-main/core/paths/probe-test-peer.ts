import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { TaskManager } from '../tasks/task-manager.js';
import { LoopbackUdpSocket } from '../testing/loopback-udp-socket.js';
import { NoTunnelDataPlane } from '../testing/no-tunnel-data-plane.js';
import { ProbeEngine } from './probe-engine.js';
import type { PublicSocket } from '../net/public-socket.js';

/**
 * Test support: one peer on loopback — keys, its public socket (a real UDP socket), a probe engine
 * wired to it and a task manager. Whatever it opens is registered in `closers` for afterEach.
 */
export async function probeTestPeer(
  closers: (() => Promise<void> | void)[],
  options: { dualStack?: boolean } = {},
) {
  const keys = generateKeyPair();
  const mux = await LoopbackUdpSocket.open('127.0.0.1', options.dualStack === true);
  /** Every datagram the engine sent: where, and with which TTL (undefined: the default). */
  const sent: { host: string; port: number; ttl: number | undefined }[] = [];
  const recording: PublicSocket = {
    get localPort() {
      return mux.localPort;
    },
    get hasIpv6() {
      return mux.hasIpv6;
    },
    send: (data, port, host, options) => {
      sent.push({ host, port, ttl: options?.ttl });
      mux.send(data, port, host, options);
    },
    listen: (listener) => mux.listen(listener),
  };
  const probes = new ProbeEngine({ ...keys, socket: recording });
  mux.listen((packet, from) => probes.handle(packet, from, null));
  const tasks = new TaskManager();
  closers.push(
    () => tasks.shutdown(),
    () => probes.close(),
    () => mux.close(),
  );
  return { keys, mux, engine: probes, tasks, dataPlane: new NoTunnelDataPlane(), sent };
}
