import { describe, expect, it } from 'vitest';
import {
  AppInfoSchema,
  AppStateEventSchema,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  IPC_CHANNEL_PATTERN,
  bridgeNameOf,
  isEventChannel,
  isInvokeChannel,
} from './contract.js';

describe('IPC contract', () => {
  it('names every channel area:verb in kebab-case', () => {
    for (const channel of [...INVOKE_CHANNELS, ...EVENT_CHANNELS]) {
      expect(channel).toMatch(IPC_CHANNEL_PATTERN);
    }
  });

  it('gives every channel a distinct bridge method', () => {
    const names = [
      ...INVOKE_CHANNELS.map((c) => bridgeNameOf(c, 'invoke')),
      ...EVENT_CHANNELS.map((c) => bridgeNameOf(c, 'event')),
    ].map(({ area, method }) => `${area}.${method}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('turns kebab-case verbs into camelCase methods and events into onX', () => {
    expect(bridgeNameOf('party:create-invite', 'invoke')).toEqual({
      area: 'party',
      method: 'createInvite',
    });
    expect(bridgeNameOf('peers:latency-changed', 'event')).toEqual({
      area: 'peers',
      method: 'onLatencyChanged',
    });
  });

  it('recognises only declared channels, not inherited object keys', () => {
    expect(isInvokeChannel('app:info')).toBe(true);
    expect(isEventChannel('app:state')).toBe(true);
    expect(isInvokeChannel('app:state')).toBe(false);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
    expect(isEventChannel(42)).toBe(false);
  });

  it('accepts a well-formed app info and refuses extra or missing fields', () => {
    const info = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' };
    expect(AppInfoSchema.safeParse(info).success).toBe(true);
    expect(AppInfoSchema.safeParse({ ...info, mode: 'native' }).success).toBe(false);
    expect(AppInfoSchema.safeParse({ ...info, extra: true }).success).toBe(false);
    expect(AppInfoSchema.safeParse({ name: 'LANrage' }).success).toBe(false);
  });

  it('refuses an app state that is not one of the known states', () => {
    expect(AppStateEventSchema.safeParse({ state: 'disconnected' }).success).toBe(true);
    expect(AppStateEventSchema.safeParse({ state: 'online' }).success).toBe(false);
    expect(AppStateEventSchema.safeParse('disconnected').success).toBe(false);
  });
});
