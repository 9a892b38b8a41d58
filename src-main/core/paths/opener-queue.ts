/**
 * One port-probing opener at a time per core (port-probing.ts): each opener holds 256 probe
 * sockets, the helper's whole bound (PROTOCOL.md limits), so a symmetric player meeting several
 * cone players probes them one after another. The opener times its attempt only once it holds the
 * queue, so the peer's probes always find the sockets open. An attempt lasts at most ~3.5 s.
 */
export class OpenerQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `body` after every body queued before it has finished (or failed). */
  run<T>(body: () => Promise<T>): Promise<T> {
    const result = this.tail.then(body);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
