import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { setBridge } from './bridge';
import { notify } from './notifications/deliver';
import { appStore } from './stores/app-store';
import { installAppListeners } from './stores/install-app-listeners';
import { installCoreListeners } from './stores/install-core-listeners';
import { notificationsStore } from './stores/notifications-store';
import { partyStore } from './stores/party-store';
import { viewStore } from './stores/view-store';
import { connectWebBridge, webToken } from './web/web-bridge';
import './styles.css';

// The Electron preload's bridge, or in web mode the WebSocket one (token from the printed URL).
const token = window.lanrage === undefined ? webToken() : null;
const web = token === null ? null : connectWebBridge(token);
const bridge = window.lanrage ?? web?.bridge;
setBridge(bridge ?? null);

// Pushes enter the stores once, here, before React renders: components only read the stores.
installAppListeners(bridge, appStore);
if (bridge !== undefined) {
  installCoreListeners(bridge, {
    party: partyStore,
    view: viewStore,
    notifications: notificationsStore,
    deliver: (notice) => notify(notice, web === null ? 'electron' : 'web'),
  });
}
web?.onLink((up) => {
  if (!up) appStore.getState().serviceFailed('The connection to LANrage was lost; reconnecting…');
  else if (appStore.getState().service === 'failed') {
    void bridge?.app.info().then((info) => appStore.getState().infoReceived(info));
  }
});

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
