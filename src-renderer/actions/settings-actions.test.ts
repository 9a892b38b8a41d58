import { beforeEach, describe, expect, it } from 'vitest';
import type { EditableSettings, SettingsView } from '../../src-shared/ipc/contract';
import { dispatchInvoke } from '../../src-shared/ipc/contract-dispatch';
import { createBridge } from '../../src-shared/ipc/create-bridge';
import { ServiceError } from '../../src-shared/ipc/service-error';
import { handlersWith } from '../../src-shared/ipc/testing/handlers-with';
import { setBridge } from '../bridge';
import { settingsStore } from '../stores/settings-store';
import { saveSettings } from './settings-actions';

const SETTINGS: EditableSettings = {
  controlUrl: 'https://lanrage.example',
  name: 'ana',
  monitorIntervalMs: 5000,
  degradedThresholdMs: 150,
  reconnectAttempts: 3,
  failedCleanupMs: 60000,
  discovery: true,
};

/** A real bridge over the contract's dispatcher; settings:set is answered by `set`. */
function serve(set: (patch: EditableSettings) => SettingsView) {
  const bridge = createBridge({
    invoke: (channel, request) =>
      dispatchInvoke(handlersWith({ 'settings:set': set }), channel, request, { warn: () => {} }),
    subscribe: () => () => {},
  });
  setBridge(bridge);
}

describe('saving settings from the Settings view', () => {
  beforeEach(() => {
    settingsStore.setState({ view: null, saving: false, error: null, saved: false });
  });

  it('sends discovery off through the contract and shows the saved view', async () => {
    const sent: EditableSettings[] = [];
    serve((patch) => {
      sent.push(patch);
      return { settings: patch, restartNeeded: [], fileProblem: null };
    });
    await saveSettings({ ...SETTINGS, discovery: false });
    expect(sent.map((p) => p.discovery)).toEqual([false]);
    const state = settingsStore.getState();
    expect(state.view?.settings.discovery).toBe(false);
    expect(state.saved).toBe(true);
    expect(state.error).toBeNull();
  });

  it("names the checkbox in the core's refusal", async () => {
    serve(() => {
      throw new ServiceError(
        'bad-setting',
        'discovery: invalid input: expected boolean, received string',
      );
    });
    await saveSettings(SETTINGS);
    const state = settingsStore.getState();
    expect(state.error).toBe(
      'LAN game discovery: invalid input: expected boolean, received string',
    );
    expect(state.saved).toBe(false);
  });
});
