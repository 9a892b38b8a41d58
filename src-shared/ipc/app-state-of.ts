import type { CoreStatus } from '../domain/core-status.js';
import type { AppState } from './contract.js';

/**
 * The one overall state (tray icon, window badge) derived from the core's status:
 * no party → disconnected; a party with no peer connected yet, or any peer still connecting →
 * connecting; any peer degraded or failed → degraded; else connected. A party of one is
 * connected: nothing is waiting.
 */
export function appStateOf(status: CoreStatus | null): AppState {
  if (status === null || status.party === null || status.state !== 'in-party')
    return 'disconnected';
  if (status.peers.some((p) => p.state === 'degraded' || p.state === 'failed')) return 'degraded';
  if (status.peers.some((p) => p.state === 'connecting')) return 'connecting';
  return 'connected';
}
