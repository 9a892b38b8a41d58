/**
 * The status-push bench's arithmetic, apart from its processes so it is tested: the cost of one
 * update is what a process spends per second while updates flow, minus what it spends per second
 * with none, divided by the updates per second. Each phase (idle, then pushing) is measured in
 * rounds of up to a minute; the n-th push round against the n-th idle round is one more estimate,
 * and their spread says how far to trust the total.
 *
 * The phases do not alternate: when pushes stop, V8 collects what they left (its memory reducer
 * runs major GCs for seconds afterwards, on helper threads too), and an idle round right after a
 * push round would be charged for it — in the app, pushes never stop, so that work is theirs.
 */
export interface CpuRound {
  push: boolean;
  seconds: number;
  updates: number;
  cpuMs: number;
}

export interface PerUpdateCost {
  idleMsPerS: number;
  pushMsPerS: number;
  /** (push ms/s − idle ms/s) ÷ updates per second of the push rounds; NaN without both kinds. */
  perUpdateMs: number;
  /** The same from the n-th push round against the n-th idle round. */
  pairsMs: number[];
}

export function perUpdateCost(rounds: readonly CpuRound[]): PerUpdateCost {
  const idle = rounds.filter((r) => !r.push);
  const push = rounds.filter((r) => r.push);
  const rate = (list: readonly CpuRound[]) =>
    sum(list, (r) => r.cpuMs) / sum(list, (r) => r.seconds);
  const cost = (idleList: readonly CpuRound[], pushList: readonly CpuRound[]) => {
    const updatesPerS = sum(pushList, (r) => r.updates) / sum(pushList, (r) => r.seconds);
    return (rate(pushList) - rate(idleList)) / updatesPerS;
  };
  const pairsMs = push.flatMap((round, i) => {
    const baseline = idle[i];
    return baseline === undefined ? [] : [cost([baseline], [round])];
  });
  return {
    idleMsPerS: rate(idle),
    pushMsPerS: rate(push),
    perUpdateMs: idle.length > 0 && push.length > 0 ? cost(idle, push) : NaN,
    pairsMs,
  };
}

/** Nearest-rank percentile (q in 0…1) of a copy; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function sum<T>(list: readonly T[], of: (item: T) => number): number {
  return list.reduce((total, item) => total + of(item), 0);
}
