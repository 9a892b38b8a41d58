import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { TaskManager } from '../tasks/task-manager.js';
import { LoopbackUdpSocket } from '../testing/loopback-udp-socket.js';
import { NoTunnelDataPlane } from '../testing/no-tunnel-data-plane.js';
import { ProbeEngine } from './probe-engine.js';

/**
 * Test support: one peer on loopback — keys, its public socket (a real UDP socket), a probe engine
 * wired to it and a task manager. Whatever it opens is registered in `closers` for afterEach.
 */
export async function probeTestPeer(closers: (() => Promise<void> | void)[]) {
  const keys = generateKeyPair();
  const mux = await LoopbackUdpSocket.open();
  const probes = new ProbeEngine({ ...keys, socket: mux });
  mux.listen((packet, from) => probes.handle(packet, from, null));
  const tasks = new TaskManager();
  closers.push(
    () => tasks.shutdown(),
    () => probes.close(),
    () => mux.close(),
  );
  return { keys, mux, engine: probes, tasks, dataPlane: new NoTunnelDataPlane() };
}
