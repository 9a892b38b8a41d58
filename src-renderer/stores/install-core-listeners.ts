import type { StoreApi } from 'zustand';
import type { CoreStatus } from '../../src-shared/domain/core-status';
import type { LanrageBridge, Unsubscribe } from '../../src-shared/ipc/contract';
import { noticesFor, type Notice } from '../notifications/notice-rules';
import type { NotificationsStore } from './notifications-store';
import type { PartyStore } from './party-store';
import type { ViewStore } from './view-store';

/**
 * Wires the core's pushes into the party, view and notification stores, once, at start-up,
 * outside React. Notifications the user turned off are dropped here; the rest go to `deliver`
 * (a toast in web mode, an OS notification in Electron).
 */
export interface CoreListenerTargets {
  party: StoreApi<PartyStore>;
  view: StoreApi<ViewStore>;
  notifications: StoreApi<NotificationsStore>;
  deliver(notice: Notice): void;
  now?: () => number;
}

export function installCoreListeners(bridge: LanrageBridge, t: CoreListenerTargets): Unsubscribe {
  const now = t.now ?? Date.now;
  const onStatus = (status: CoreStatus) => {
    const previous = t.party.getState().status;
    t.party.getState().statusReceived(status, now());
    const prefs = t.notifications.getState().prefs;
    for (const notice of noticesFor(previous, status)) if (prefs[notice.kind]) t.deliver(notice);
  };
  const stops = [
    bridge.party.onStatus(onStatus),
    bridge.app.onNavigate(({ view }) => t.view.getState().show(view)),
  ];
  // The first status, in case the push came before this window subscribed.
  bridge.party.status().then(
    (status) => {
      if (t.party.getState().status === null) onStatus(status);
    },
    () => undefined,
  );
  return () => stops.forEach((stop) => stop());
}
