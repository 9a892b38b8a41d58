import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { TaskManager } from '../tasks/task-manager.js';
import { ProbeEngine } from './probe-engine.js';
import { LoopbackDataPlane } from '../net/loopback-data-plane.js';
import { UdpMux } from './udp-mux.js';

/** The mux's forwarding as a data plane, with no WireGuard behind it (nothing here needs one). */
function muxDataPlane(mux: UdpMux): LoopbackDataPlane {
  return new LoopbackDataPlane(mux, {
    isUp: false,
    up: async () => 0,
    down: async () => {},
    setPeer: async () => {},
    removePeer: async () => {},
    tunnelLatency: async () => null,
  });
}

/**
 * Test support: one peer on loopback — keys, its public socket (the real mux), a probe engine
 * wired to it and a task manager. Whatever it opens is registered in `closers` for afterEach.
 */
export async function probeTestPeer(closers: (() => Promise<void> | void)[]) {
  const keys = generateKeyPair();
  const mux = await UdpMux.open(0, { host: '127.0.0.1' });
  const probes = new ProbeEngine({ ...keys, socket: mux });
  mux.listen((packet, from) => probes.handle(packet, from, null));
  const tasks = new TaskManager();
  closers.push(
    () => tasks.shutdown(),
    () => probes.close(),
    () => mux.close(),
  );
  return { keys, mux, engine: probes, tasks, dataPlane: muxDataPlane(mux) };
}
