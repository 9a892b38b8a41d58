import type { CoreStatus, RelayStatus } from '../../src-shared/domain/core-status.js';
import { printableName } from '../../src-shared/domain/display-name.js';
import { mappingPathWords } from '../../src-shared/domain/port-mapping.js';
import { isIpv6EndpointText } from '../../src-shared/domain/endpoint.js';

// Every name printed here came from other people (through the control server): escaped.

/** Human-readable forms of what `--json` prints (like `tailscale status`). */
export function formatStatus(status: CoreStatus): string {
  const lines: string[] = [];
  const s = status.self;
  lines.push(
    status.party
      ? `party  ${printableName(status.party.name)}  (invite ${status.party.inviteCode})  control ${status.control}`
      : `not in a party  control ${status.control}`,
  );
  lines.push(
    `self   ${s.virtualIp ?? '-'}  ${printableName(s.name)}  nat ${s.natType}  public ${s.publicEndpoint ?? '-'}`,
  );
  for (const p of status.peers) {
    const mapping = p.path === 'direct' ? mappingPathWords(p.coordination) : null;
    const via =
      p.strategy === 'relay'
        ? `relay ${p.relay?.id ?? '?'}`
        : mapping
          ? `direct ${mapping}`
          : p.path === 'direct' && p.coordination.openedBy === 'port-probe'
            ? 'direct after port probing'
            : `${p.path ?? 'direct'}${isIpv6EndpointText(p.endpoint) ? ' IPv6' : ''}`;
    const rtt = p.latencyMs === null ? '-' : `${p.latencyMs.toFixed(1)} ms`;
    // LAN-game discovery packets to / from the peer, and those its rate limit dropped.
    const d = p.discovery;
    const games = d
      ? `  lan games ${d.forwarded} out, ${d.received} in${d.droppedByLimit > 0 ? `, ${d.droppedByLimit} over limit` : ''}`
      : '';
    lines.push(
      `peer   ${p.virtualIp.padEnd(12)} ${printableName(p.name).padEnd(16)} ${p.state.padEnd(10)} ${via.padEnd(14)} ${rtt.padStart(9)}  nat ${p.natType}${games}`,
    );
  }
  return lines.join('\n');
}

export function formatRelays(relays: RelayStatus[]): string {
  return relays
    .map((r) => {
      const mark = r.inUse ? '*' : ' ';
      const rtt = r.latencyMs === null ? 'no answer' : `${r.latencyMs.toFixed(1)} ms`;
      return `${mark} ${printableName(r.id).padEnd(16)} ${r.endpoint.padEnd(22)} ${rtt.padStart(10)}  ${r.source}${r.pinned ? '  (pinned)' : ''}`;
    })
    .join('\n');
}
