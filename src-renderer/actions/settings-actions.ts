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

export async function saveSettings(settings: EditableSettings): Promise<void> {
  settingsStore.getState().saveStarted();
  try {
    settingsStore.getState().saveDone(await bridge().settings.set(settings));
  } catch (error) {
    settingsStore.getState().failed(errorOf(error).message);
  }
}
