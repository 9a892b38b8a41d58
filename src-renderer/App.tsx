import { BrandMark } from './components/brand-mark';
import { PartyEmptyState } from './components/party-empty-state';
import { ServiceNotice } from './components/service-notice';
import { StateBadge } from './components/state-badge';
import { selectInfo, useAppStore } from './stores/app-store';

/** The LANrage window frame: brand and overall state on top, the party view, a status line. */
export function App() {
  const info = useAppStore(selectInfo);
  return (
    <div className="frame">
      <header className="frame__header">
        <div className="brand">
          <BrandMark />
          <span className="brand__name">LANrage</span>
        </div>
        <StateBadge />
      </header>
      <main className="frame__main">
        <ServiceNotice />
        <PartyEmptyState />
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
    </div>
  );
}
