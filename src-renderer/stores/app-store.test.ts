import { describe, expect, it } from 'vitest';
import {
  INITIAL_APP_STATE,
  PARTY_NEEDS_CONNECTION_CORE,
  PARTY_NEEDS_SERVICE,
  createAppStore,
  selectBadge,
  selectPartyBlockedReason,
  type AppStoreState,
} from './app-store';

const INFO = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' } as const;

function stateWith(patch: Partial<AppStoreState>): AppStoreState {
  return { ...INITIAL_APP_STATE, ...patch };
}

describe('app store', () => {
  it('starts waiting for the service, not in a party', () => {
    const store = createAppStore();
    expect(store.getState().service).toBe('starting');
    expect(store.getState().state).toBe('disconnected');
  });

  it('records the service info and clears an earlier error', () => {
    const store = createAppStore();
    store.getState().serviceFailed('timeout');
    store.getState().infoReceived(INFO);
    expect(store.getState()).toMatchObject({ service: 'ready', info: INFO, error: null });
  });

  it('keeps the overall state pushed by the service', () => {
    const store = createAppStore();
    store.getState().stateChanged('degraded');
    expect(store.getState().state).toBe('degraded');
  });
});

describe('selectBadge', () => {
  it.each([
    [stateWith({ service: 'absent' }), { tone: 'offline', label: 'No service' }],
    [stateWith({ service: 'failed' }), { tone: 'offline', label: 'Service error' }],
    [stateWith({ service: 'starting' }), { tone: 'connecting', label: 'Starting…' }],
    [
      stateWith({ service: 'ready', state: 'disconnected' }),
      { tone: 'disconnected', label: 'Not in a party' },
    ],
    [
      stateWith({ service: 'ready', state: 'connected' }),
      { tone: 'connected', label: 'Connected' },
    ],
  ])('shows %o as %o', (state, badge) => {
    expect(selectBadge(state)).toEqual(badge);
  });
});

describe('selectPartyBlockedReason', () => {
  it('blocks party actions without a service', () => {
    expect(selectPartyBlockedReason(stateWith({ service: 'absent' }))).toBe(PARTY_NEEDS_SERVICE);
    expect(selectPartyBlockedReason(stateWith({ service: 'starting' }))).toBe(PARTY_NEEDS_SERVICE);
  });

  it('blocks party actions when the service has no party commands', () => {
    const state = stateWith({ service: 'ready', partySupported: false });
    expect(selectPartyBlockedReason(state)).toBe(PARTY_NEEDS_CONNECTION_CORE);
  });

  it('allows party actions when the service offers them', () => {
    expect(
      selectPartyBlockedReason(stateWith({ service: 'ready', partySupported: true })),
    ).toBeNull();
  });
});
