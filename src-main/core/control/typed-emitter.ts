/**
 * A small typed event emitter. Unlike node:events it has no special 'error' event that throws
 * when nobody listens, and a throwing listener is reported, not propagated into the socket code.
 */
/** Listeners are stored untyped; `on`/`emit` keep each event's arguments matched. */
type Listener = (...args: unknown[]) => void;

export class TypedEmitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as unknown as Listener);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(name)?.delete(listener as unknown as Listener);
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener(...(args as unknown[]));
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  protected onListenerError(error: unknown): void {
    queueMicrotask(() => {
      throw error;
    });
  }
}
