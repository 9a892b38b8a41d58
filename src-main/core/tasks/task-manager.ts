import { sleep, systemClock, type Clock } from '../time/clock.js';

/**
 * Every background loop of the core is a named task: started here, given an AbortSignal, and
 * cancelled *and awaited* on leave/quit, so nothing keeps running (or writing to a closed socket)
 * after shutdown. A task that throws is logged by name; it does not take the process down.
 */
export type TaskBody = (signal: AbortSignal) => Promise<void>;

export interface TaskManagerOptions {
  onError?: (name: string, error: unknown) => void;
  /** Paces `every` loops; a fake clock in tests. */
  clock?: Clock;
}

interface RunningTask {
  controller: AbortController;
  done: Promise<void>;
}

export class TaskManager {
  private readonly tasks = new Map<string, RunningTask>();
  private closed = false;
  private readonly clock: Clock;

  constructor(private readonly options: TaskManagerOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Starts `body` under `name`; a task already running under that name is cancelled first. */
  start(name: string, body: TaskBody): void {
    if (this.closed) throw new Error(`task manager is shut down; cannot start "${name}"`);
    const previous = this.tasks.get(name);
    if (previous) previous.controller.abort();
    const controller = new AbortController();
    const done = (async () => {
      if (previous) await previous.done;
      try {
        await body(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) this.options.onError?.(name, error);
      }
    })().finally(() => {
      if (this.tasks.get(name)?.controller === controller) this.tasks.delete(name);
    });
    this.tasks.set(name, { controller, done });
  }

  /**
   * Repeats `body` every `intervalMs` (after each run finishes) until cancelled; the first run
   * is at once, or after `firstAfterMs` (for a check that would find nothing to do yet).
   */
  every(
    name: string,
    intervalMs: number,
    body: (signal: AbortSignal) => Promise<void> | void,
    firstAfterMs = 0,
  ): void {
    this.start(name, async (signal) => {
      if (firstAfterMs > 0) await sleep(this.clock, firstAfterMs, signal);
      while (!signal.aborted) {
        try {
          await body(signal);
        } catch (error) {
          if (!signal.aborted) this.options.onError?.(name, error);
        }
        await sleep(this.clock, intervalMs, signal);
      }
    });
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }

  async cancel(name: string): Promise<void> {
    const task = this.tasks.get(name);
    if (!task) return;
    task.controller.abort();
    await task.done;
  }

  /** Cancels every task whose name starts with `prefix` (e.g. all of one peer's loops). */
  async cancelPrefix(prefix: string): Promise<void> {
    await Promise.all(
      this.names()
        .filter((n) => n.startsWith(prefix))
        .map((n) => this.cancel(n)),
    );
  }

  /** Cancels everything and refuses new tasks. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(this.names().map((n) => this.cancel(n)));
  }
}
