import { generateKeyPair } from '../../../src-common/crypto/x25519.js';
import { TaskManager } from '../tasks/task-manager.js';
import { ProbeEngine } from './probe-engine.js';
import { UdpMux } from './udp-mux.js';

/**
 * Test support: one peer on loopback — keys, its public socket (the real mux), a probe engine
 * wired to it and a task manager. Whatever it opens is registered in `closers` for afterEach.
 */
export async function probeTestPeer(closers: (() => Promise<void> | void)[]) {
  const keys = generateKeyPair();
  let engine: ProbeEngine | null = null;
  const mux = await UdpMux.open(
    0,
    { onProbe: (p, f, via) => engine?.handle(p, f, via) },
    '127.0.0.1',
  );
  /** Every datagram the engine sent: where, and with which TTL (undefined: the default). */
  const sent: { port: number; ttl: number | undefined }[] = [];
  engine = new ProbeEngine({
    ...keys,
    transport: {
      send: (data, port, host, ttl) => {
        sent.push({ port, ttl });
        mux.send(data, port, host, ttl);
      },
      sendViaRoute: (routeId, payload, host, port) =>
        mux.sendViaRoute(routeId, payload, host, port),
    },
  });
  const tasks = new TaskManager();
  const probes = engine;
  closers.push(
    () => tasks.shutdown(),
    () => probes.close(),
    () => mux.close(),
  );
  return { keys, mux, engine: probes, tasks, sent };
}
