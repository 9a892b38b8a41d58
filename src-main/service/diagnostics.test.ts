import { describe, expect, it } from 'vitest';
import { inParty, peer } from '../../src-shared/domain/testing/status-fixtures.js';
import type { EditableSettings } from '../../src-shared/ipc/contract.js';
import { diagnosticsBundle } from './diagnostics.js';

const SETTINGS: EditableSettings = {
  controlUrl: 'https://control.example:7400/',
  name: 'ana',
  monitorIntervalMs: 1_000,
  degradedThresholdMs: 200,
  reconnectAttempts: 5,
  failedCleanupMs: 60_000,
  discovery: true,
};

describe('the diagnostics bundle', () => {
  it('removes the invite code from the status and from every spelling of it in the log', () => {
    const bundle = diagnosticsBundle({
      info: { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'web' },
      status: inParty([peer('ben')]),
      settings: SETTINGS,
      problem: null,
      logLines: [
        'Party "Friday LAN" created. Invite code: K7M2Q-9XTRA',
        'joining with k7m2q 9xtra',
        'Invite link: lanrage://join/K7M2Q9XTRA?control=x',
        'peer ben connected',
      ],
      now: new Date('2026-12-01T10:00:00Z'),
    });
    const content = JSON.parse(bundle.content) as {
      status: { party: { name: string; inviteCode: string } };
      log: string[];
    };
    expect(content.status.party).toEqual({
      id: 'party-1',
      name: 'Friday LAN',
      inviteCode: '[invite code removed]',
    });
    expect(content.log).toEqual([
      'Party "Friday LAN" created. Invite code: [invite code removed]',
      'joining with [invite code removed]',
      'Invite link: lanrage://join/[invite code removed]?control=x',
      'peer ben connected',
    ]);
    expect(bundle.content.toUpperCase()).not.toContain('9XTRA');
  });
});
