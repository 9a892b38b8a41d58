import type { EditableSettings } from '../../src-shared/ipc/contract';
import { bridge } from '../bridge';
import { settingsStore } from '../stores/settings-store';
import { errorOf } from './error-of';

export async function loadSettings(): Promise<void> {
  try {
    settingsStore.getState().loaded(await bridge().settings.get());
  } catch (error) {
    settingsStore.getState().failed(errorOf(error).message);
  }
}

/** The Settings view's names for the config fields the core names in its refusals. */
export const SETTING_LABELS: Readonly<Record<keyof EditableSettings, string>> = {
  controlUrl: 'LANrage server',
  name: 'Your name',
  degradedThresholdMs: 'Slow above (ms)',
  monitorIntervalMs: 'Health check every (ms)',
  reconnectAttempts: 'Reconnect attempts',
  failedCleanupMs: 'Forget unreachable peers after (ms)',
  discovery: 'LAN game discovery',
};

/** "degradedThresholdMs: must be at least 10" → "Slow above (ms): must be at least 10". */
export function labelled(message: string): string {
  const field = /^(\w+): /.exec(message)?.[1];
  if (field === undefined || !Object.hasOwn(SETTING_LABELS, field)) return message;
  return `${SETTING_LABELS[field as keyof EditableSettings]}${message.slice(field.length)}`;
}

export async function saveSettings(settings: EditableSettings): Promise<void> {
  settingsStore.getState().saveStarted();
  try {
    settingsStore.getState().saveDone(await bridge().settings.set(settings));
  } catch (error) {
    settingsStore.getState().failed(labelled(errorOf(error).message));
  }
}
