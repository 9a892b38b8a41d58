import { describe, expect, it } from 'vitest';
import { sleep as sleepOn, systemClock } from '../time/clock.js';
import { TaskManager } from './task-manager.js';

const sleep = (ms: number, signal?: AbortSignal) => sleepOn(systemClock, ms, signal);

describe('TaskManager', () => {
  it('cancels a task and waits for it to finish', async () => {
    const tasks = new TaskManager();
    let finished = false;
    tasks.start('loop', async (signal) => {
      await sleep(60_000, signal);
      finished = true;
    });
    await tasks.cancel('loop');
    expect(finished).toBe(true);
    expect(tasks.has('loop')).toBe(false);
  });

  it('runs a periodic task until shutdown, and nothing after', async () => {
    const tasks = new TaskManager();
    let runs = 0;
    tasks.every('tick', 5, () => {
      runs++;
    });
    await sleep(40);
    await tasks.shutdown();
    const atShutdown = runs;
    await sleep(30);
    expect(atShutdown).toBeGreaterThan(1);
    expect(runs).toBe(atShutdown);
    expect(() => tasks.start('late', async () => {})).toThrow(/shut down/);
  });

  it('replaces a task started again under the same name', async () => {
    const tasks = new TaskManager();
    const log: string[] = [];
    tasks.start('peer:a', async (signal) => {
      await sleep(60_000, signal);
      log.push('first stopped');
    });
    tasks.start('peer:a', async () => {
      log.push('second ran');
    });
    await tasks.cancel('peer:a');
    await sleep(5);
    expect(log).toEqual(['first stopped', 'second ran']);
  });

  it('reports a failing task by name and keeps the others', async () => {
    const errors: string[] = [];
    const tasks = new TaskManager({
      onError: (name, e) => errors.push(`${name}: ${(e as Error).message}`),
    });
    tasks.start('bad', async () => {
      throw new Error('boom');
    });
    tasks.start('good', (signal) => sleep(60_000, signal));
    await sleep(5);
    expect(errors).toEqual(['bad: boom']);
    expect(tasks.names()).toEqual(['good']);
    await tasks.cancelPrefix('go');
    expect(tasks.names()).toEqual([]);
  });
});
