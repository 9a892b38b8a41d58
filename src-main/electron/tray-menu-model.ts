import type { CoreStatus, PeerStatus } from '../../src-shared/domain/core-status.js';
import { APP_STATE_LABELS } from '../../src-shared/ipc/app-state-labels.js';
import { appStateOf } from '../../src-shared/ipc/app-state-of.js';
import type { AppState } from '../../src-shared/ipc/contract.js';
import { TRAY_ICON_FILES } from './tray-state.js';

/**
 * The tray as data: a pure function of the core status, so it is tested without Electron and the
 * controller only renders it. Two models that compare equal (modelKey) render the same menu, so
 * the controller rebuilds only when a line a user can see would change.
 */
export type TrayAction = 'all-peers' | 'copy-invite' | 'open' | 'settings' | 'leave' | 'quit';

export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; action: TrayAction }
  | { kind: 'separator' };

export interface TrayModel {
  icon: string;
  tooltip: string;
  items: TrayItem[];
}

/** Peers listed by name in the menu; more than this and the last line opens the full list. */
export const TRAY_MAX_PEERS = 8;

/**
 * Latency is shown rounded to these steps, so a figure that wobbles by a millisecond does not
 * rebuild the menu (and close it on some desktops) every second: 1 ms steps below 10 ms, 5 ms up
 * to 100 ms, 25 ms up to 500 ms, then 100 ms.
 */
export function latencyBucket(ms: number): number {
  if (ms < 10) return Math.max(1, Math.round(ms));
  if (ms < 100) return Math.round(ms / 5) * 5;
  if (ms < 500) return Math.round(ms / 25) * 25;
  return Math.round(ms / 100) * 100;
}

/** "ben — direct 23 ms", "cara — relay eu-1 41 ms", "dan — connecting". */
export function peerLine(peer: PeerStatus): string {
  if (peer.state === 'connecting' || peer.state === 'failed' || peer.path === null)
    return `${peer.name} — ${peer.state === 'failed' ? 'not reachable' : 'connecting'}`;
  const path =
    peer.path === 'relay'
      ? `relay ${peer.relay?.id ?? ''}`.trim()
      : peer.path === 'lan'
        ? 'LAN'
        : 'direct';
  const latency = peer.latencyMs === null ? '' : ` ${latencyBucket(peer.latencyMs)} ms`;
  const slow = peer.state === 'degraded' ? ' (slow)' : '';
  return `${peer.name} — ${path}${latency}${slow}`;
}

export function trayModel(status: CoreStatus | null, problem: string | null = null): TrayModel {
  const state: AppState = appStateOf(status);
  const party = status?.party ?? null;
  const items: TrayItem[] = [];
  if (party === null) {
    items.push({
      kind: 'label',
      label: problem === null ? APP_STATE_LABELS.disconnected : 'LANrage cannot connect',
    });
  } else {
    items.push({ kind: 'label', label: `${party.name} — ${APP_STATE_LABELS[state]}` });
    const peers = [...(status?.peers ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    if (peers.length === 0) items.push({ kind: 'label', label: 'No one else here yet' });
    for (const peer of peers.slice(0, TRAY_MAX_PEERS))
      items.push({ kind: 'label', label: peerLine(peer) });
    if (peers.length > TRAY_MAX_PEERS)
      items.push({ kind: 'action', label: `All peers (${peers.length})…`, action: 'all-peers' });
    items.push({ kind: 'separator' });
    items.push({
      kind: 'action',
      label: `Copy invite code ${party.inviteCode}`,
      action: 'copy-invite',
    });
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Open LANrage', action: 'open' });
  items.push({ kind: 'action', label: 'Settings…', action: 'settings' });
  if (party !== null) items.push({ kind: 'action', label: 'Leave party', action: 'leave' });
  items.push({ kind: 'action', label: 'Quit LANrage', action: 'quit' });
  return { icon: TRAY_ICON_FILES[state], tooltip: trayTooltipOf(status, state), items };
}

/** "LANrage — Friday LAN: Connected, worst 41 ms". */
function trayTooltipOf(status: CoreStatus | null, state: AppState): string {
  const party = status?.party;
  if (!party) return `LANrage — ${APP_STATE_LABELS.disconnected}`;
  const latencies = (status?.peers ?? []).flatMap((p) =>
    p.latencyMs === null ? [] : [p.latencyMs],
  );
  const worst = latencies.length > 0 ? `, worst ${latencyBucket(Math.max(...latencies))} ms` : '';
  return `LANrage — ${party.name}: ${APP_STATE_LABELS[state]}${worst}`;
}

/** Equal keys ⇔ the same menu, icon and tooltip on screen. */
export function modelKey(model: TrayModel): string {
  return JSON.stringify(model);
}
