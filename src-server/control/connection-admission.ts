import { readFileSync } from 'node:fs';
import { addressGroup } from '../common/address-group.js';

/**
 * Who may hold a connection to the control server. Checked on the raw TCP `connection` event,
 * before a byte is parsed, so a refusal costs one map lookup and a close:
 *
 * - a total cap below the process's file-descriptor limit, so a flood can never starve SQLite,
 *   the log file or the legitimate connections already open of descriptors;
 * - a cap per address group (IPv4 address, IPv6 /64: address-group.ts), so one source — or a
 *   handful of them — can hold only a small share of the total.
 *
 * Reverse proxies the operator trusts are exempt from the per-group cap at the TCP level (all
 * their clients share the proxy's address); their clients are counted again at the WebSocket
 * upgrade, by the forwarded address.
 */

/**
 * Why 32: one address group is one household or one LAN café behind one NAT; a whole party of
 * `maxMembers` (32) playing from one place must fit, and one source must not be able to hold
 * more than that. A CGNAT larger than a party shares this with its neighbours, which is the price
 * of not being able to tell its users apart.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_GROUP = 32;
/** Descriptors kept for SQLite (db, -wal, -shm), logs, the listening socket and DNS. */
const FD_RESERVE = 64;

export interface AdmissionCounters {
  admitted: number;
  refusedTotal: number;
  refusedPerGroup: number;
}

export class ConnectionAdmission {
  private readonly perGroup = new Map<string, number>();
  private open = 0;
  readonly counters: AdmissionCounters = { admitted: 0, refusedTotal: 0, refusedPerGroup: 0 };

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerGroup: number,
  ) {}

  get openConnections(): number {
    return this.open;
  }

  get groupsTracked(): number {
    return this.perGroup.size;
  }

  /**
   * Takes a slot for a connection from `address` (the per-group cap skipped when `exempt`);
   * returns its release function, or why it was refused.
   */
  acquire(address: string, exempt = false): (() => void) | 'total' | 'group' {
    if (this.open >= this.maxTotal) {
      this.counters.refusedTotal++;
      return 'total';
    }
    const group = exempt ? null : addressGroup(address);
    if (group !== null) {
      const held = this.perGroup.get(group) ?? 0;
      if (held >= this.maxPerGroup) {
        this.counters.refusedPerGroup++;
        return 'group';
      }
      this.perGroup.set(group, held + 1);
    }
    this.open++;
    this.counters.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      if (group === null) return;
      const left = (this.perGroup.get(group) ?? 1) - 1;
      if (left <= 0) this.perGroup.delete(group);
      else this.perGroup.set(group, left);
    };
  }
}

/**
 * The most connections this process can hold: the configured cap, lowered to the soft
 * file-descriptor limit less a reserve (reading /proc on Linux; elsewhere the cap as given).
 */
export function connectionCeiling(configured: number): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (line && line[1] !== 'unlimited') {
      return Math.max(1, Math.min(configured, Number(line[1]) - FD_RESERVE));
    }
  } catch {
    // Not Linux: no cheap way to read the limit; trust the configured cap.
  }
  return configured;
}
