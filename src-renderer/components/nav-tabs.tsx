import { useViewStore, VIEWS, type View } from '../stores/view-store';

const LABELS: Record<View, string> = {
  party: 'Party',
  peers: 'Peers',
  settings: 'Settings',
  logs: 'Logs',
};

/** The views, as buttons: Tab reaches them, Enter opens one; the current one is marked. */
export function NavTabs() {
  const view = useViewStore((s) => s.view);
  const show = useViewStore((s) => s.show);
  return (
    <nav className="tabs" aria-label="Views">
      {VIEWS.map((v) => (
        <button
          key={v}
          type="button"
          className={`tabs__tab${v === view ? ' tabs__tab--current' : ''}`}
          aria-current={v === view ? 'page' : undefined}
          onClick={() => show(v)}
        >
          {LABELS[v]}
        </button>
      ))}
    </nav>
  );
}
