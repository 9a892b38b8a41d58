import { useEffect, useState } from 'react';
import { exportDiagnostics, loadLogs } from '../actions/logs-actions';
import { ServiceNotice } from '../components/service-notice';
import { selectService, useAppStore } from '../stores/app-store';
import { useLogsStore } from '../stores/logs-store';

/** While the view is open, the log is fetched this often: it reads as live without load. */
export const LOG_REFRESH_MS = 2_000;

export function LogsView() {
  const service = useAppStore(selectService);
  const lines = useLogsStore((s) => s.lines);
  const error = useLogsStore((s) => s.error);
  const [exported, setExported] = useState<string | null>(null);
  useEffect(() => {
    if (service !== 'ready') return;
    void loadLogs();
    const timer = setInterval(() => void loadLogs(), LOG_REFRESH_MS);
    return () => clearInterval(timer);
  }, [service]);
  if (service !== 'ready') return <ServiceNotice />;
  return (
    <section className="panel panel--wide panel--fill" aria-labelledby="logs-title">
      <div className="panel__head">
        <h2 id="logs-title">Logs</h2>
        <button
          type="button"
          className="button"
          onClick={() => void exportDiagnostics().then(setExported)}
        >
          Export diagnostics
        </button>
      </div>
      <p className="panel__lead">
        {exported
          ? `Saved ${exported}: attach it to a bug report. It holds the status, your settings (no keys) and the lines below.`
          : 'The newest lines are at the bottom. Export diagnostics saves them with the status and settings for a bug report.'}
      </p>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {lines === null ? (
        <p className="empty">Loading the log…</p>
      ) : lines.length === 0 ? (
        <p className="empty">Nothing logged yet.</p>
      ) : (
        <pre className="logs" data-testid="logs" tabIndex={0}>
          {lines.join('\n')}
        </pre>
      )}
    </section>
  );
}
