import { BrandMark } from './components/brand-mark';
import { NavTabs } from './components/nav-tabs';
import { StateBadge } from './components/state-badge';
import { Toasts } from './components/toasts';
import { selectInfo, useAppStore } from './stores/app-store';
import { useViewStore } from './stores/view-store';
import { LogsView } from './views/logs-view';
import { PartyView } from './views/party-view';
import { PeersView } from './views/peers-view';
import { SettingsView } from './views/settings-view';

/** The LANrage window: brand, views and overall state on top, the current view, a status line. */
export function App() {
  const info = useAppStore(selectInfo);
  const view = useViewStore((s) => s.view);
  return (
    <div className="frame">
      <header className="frame__header">
        <div className="brand">
          <BrandMark />
          <span className="brand__name">LANrage</span>
        </div>
        <NavTabs />
        <StateBadge />
      </header>
      <main className="frame__main" data-view={view}>
        {view === 'party' && <PartyView />}
        {view === 'peers' && <PeersView />}
        {view === 'settings' && <SettingsView />}
        {view === 'logs' && <LogsView />}
      </main>
      <footer className="frame__footer">
        {info === null ? (
          <span>LANrage</span>
        ) : (
          <span data-testid="app-info">
            {info.name} {info.version} · {info.platform} ·{' '}
            {info.mode === 'electron' ? 'desktop app' : 'web'}
          </span>
        )}
      </footer>
      <Toasts />
    </div>
  );
}
