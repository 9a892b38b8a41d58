import { describe, expect, it } from 'vitest';
import { inParty, peer } from '../../src-shared/domain/testing/status-fixtures.js';
import { trayModel, type TrayModel } from './tray-menu-model.js';
import { TrayUpdater } from './tray-updater.js';

/** A manual clock: timers run only when the test advances time. */
function fakeTimers() {
  let now = 0;
  const pending: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      pending.push(timer);
      return () => pending.splice(pending.indexOf(timer), 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of pending.filter((p) => p.at <= now)) {
        pending.splice(pending.indexOf(t), 1);
        t.run();
      }
    },
  };
}

const withLatency = (ms: number) => trayModel(inParty([peer('ben', { latencyMs: ms })]));
const benLine = (m: TrayModel) =>
  m.items.find((i) => i.kind === 'label' && i.label.startsWith('ben'));

describe('TrayUpdater', () => {
  function setUp() {
    const timers = fakeTimers();
    const rendered: TrayModel[] = [];
    const updater = new TrayUpdater((m) => rendered.push(m), timers);
    return { timers, rendered, updater };
  }

  it('renders the first model at once', () => {
    const { rendered, updater } = setUp();
    updater.update(withLatency(23));
    expect(rendered).toHaveLength(1);
  });

  it('does not rebuild when no visible line changed', () => {
    const { timers, rendered, updater } = setUp();
    updater.update(withLatency(23));
    timers.advance(1_000);
    updater.update(withLatency(24));
    timers.advance(1_000);
    expect(rendered).toHaveLength(1);
  });

  it('throttles bursts to one trailing rebuild with the latest model', () => {
    const { timers, rendered, updater } = setUp();
    updater.update(withLatency(23));
    timers.advance(100);
    updater.update(withLatency(40));
    updater.update(withLatency(60));
    expect(rendered).toHaveLength(1);
    timers.advance(399);
    expect(rendered).toHaveLength(1);
    timers.advance(1);
    expect(rendered).toHaveLength(2);
    expect(benLine(rendered[1]!)).toEqual({ kind: 'label', label: 'ben — direct 60 ms' });
  });

  it('never rebuilds while the menu is open, and catches up when it closes', () => {
    const { timers, rendered, updater } = setUp();
    updater.update(withLatency(23));
    updater.menuWillShow();
    timers.advance(1_000);
    updater.update(withLatency(80));
    timers.advance(5_000);
    expect(rendered).toHaveLength(1);
    updater.menuWillClose();
    expect(rendered).toHaveLength(2);
    expect(benLine(rendered[1]!)).toEqual({ kind: 'label', label: 'ben — direct 80 ms' });
  });

  it('takes a menu open for a minute without menu-will-close as closed (some Linux trays never send it)', () => {
    const { timers, rendered, updater } = setUp();
    updater.update(withLatency(23));
    updater.menuWillShow();
    updater.update(withLatency(80));
    timers.advance(59_999);
    expect(rendered).toHaveLength(1);
    timers.advance(1);
    expect(rendered).toHaveLength(2);
    expect(benLine(rendered[1]!)).toEqual({ kind: 'label', label: 'ben — direct 80 ms' });
  });

  it('restarts that minute each time the menu opens, and forgets it once the menu closes', () => {
    const { timers, rendered, updater } = setUp();
    updater.update(withLatency(23));
    updater.menuWillShow();
    timers.advance(30_000);
    updater.menuWillClose();
    updater.menuWillShow();
    updater.update(withLatency(80));
    timers.advance(59_000);
    expect(rendered).toHaveLength(1);
    updater.menuWillClose();
    expect(rendered).toHaveLength(2);
    timers.advance(120_000);
    expect(rendered).toHaveLength(2);
  });
});
