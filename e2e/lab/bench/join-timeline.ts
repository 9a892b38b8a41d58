import { readFile } from 'node:fs/promises';

/**
 * Where a join's time went, from the joiner's own log (`lanrage up --log-level debug`): when NAT
 * detection finished, when the WireGuard interface came up and when the first path to the peer
 * was set — so a slow first ping can be placed before or after the tunnel's path existed.
 * Milliseconds from `startedAtMs`; null for a milestone the log does not show.
 */
export interface JoinTimeline {
  /** The core's first log line: Node started and loaded the bundle (the process's fixed cost). */
  firstLogMs: number | null;
  natMs: number | null;
  interfaceUpMs: number | null;
  pathMs: number | null;
}

export async function joinTimeline(
  logPath: string,
  peer: string,
  startedAtMs: number,
): Promise<JoinTimeline> {
  // Logs are appended per lab id, so only lines stamped after this start belong to this join.
  const lines = (await readFile(logPath, 'utf8').catch(() => ''))
    .split('\n')
    .map((text) => ({ text, stamp: Date.parse(text.split(' ')[0] ?? '') }))
    .filter((l) => l.stamp >= startedAtMs);
  const at = (pattern: RegExp): number | null => {
    const line = lines.find((l) => pattern.test(l.text));
    return line === undefined ? null : line.stamp - startedAtMs;
  };
  return {
    firstLogMs: lines.length > 0 && lines[0]!.text ? lines[0]!.stamp - startedAtMs : null,
    natMs: at(/ \[nat\] NAT detected /),
    interfaceUpMs: at(/ \[wireguard\] WireGuard interface up /),
    // Fields between message and peer= vary (e.g. party=…); "path dead" is not a path.
    pathMs: at(new RegExp(` \\[peer\\] path (?!dead )(.* )?peer=${peer} `)),
  };
}
