import { useEffect, useState, type FormEvent } from 'react';
import type { EditableSettings } from '../../src-shared/ipc/contract';
import { automaticRelay, measureRelays, pinRelay } from '../actions/relay-actions';
import { loadSettings, saveSettings } from '../actions/settings-actions';
import { ServiceNotice } from '../components/service-notice';
import { NOTICE_KINDS, NOTICE_LABELS } from '../notifications/notice-rules';
import { selectService, useAppStore } from '../stores/app-store';
import { useNotificationsStore } from '../stores/notifications-store';
import { selectAutomatic, useRelaysStore } from '../stores/relays-store';
import { settingsStore, useSettingsStore } from '../stores/settings-store';
import { latencyLabel } from '../stores/party-selectors';

/** Settings: the relays (measured, pinnable), the connection settings, notifications. */
export function SettingsView() {
  const service = useAppStore(selectService);
  if (service !== 'ready') return <ServiceNotice />;
  return (
    <>
      <RelaysPanel />
      <SettingsForm />
      <NotificationPrefs />
    </>
  );
}

function RelaysPanel() {
  const relays = useRelaysStore((s) => s.relays);
  const loading = useRelaysStore((s) => s.loading);
  const error = useRelaysStore((s) => s.error);
  const automatic = useRelaysStore(selectAutomatic);
  useEffect(() => {
    void measureRelays();
  }, []);
  return (
    <section className="panel panel--wide" aria-labelledby="relays-title">
      <div className="panel__head">
        <h2 id="relays-title">Relays</h2>
        <div className="panel__actions">
          <button
            type="button"
            className="button"
            onClick={() => void measureRelays()}
            disabled={loading}
          >
            {loading ? 'Measuring…' : 'Measure again'}
          </button>
          <button
            type="button"
            className={`button${automatic ? ' button--on' : ''}`}
            aria-pressed={automatic}
            onClick={() => void automaticRelay()}
            disabled={loading}
          >
            Automatic
          </button>
        </div>
      </div>
      <p className="panel__lead">
        {automatic
          ? 'Automatic: each relayed peer goes through the relay with the lowest latency.'
          : 'You chose a relay: every relayed peer goes through it until you pick Automatic.'}
      </p>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {relays === null ? (
        <p className="empty">{loading ? 'Measuring the relays…' : 'No relays loaded.'}</p>
      ) : relays.length === 0 ? (
        <p className="empty">The LANrage server lists no relays.</p>
      ) : (
        <table className="relays" data-testid="relays">
          <thead>
            <tr>
              <th scope="col">Relay</th>
              <th scope="col">Region</th>
              <th scope="col">Latency</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {relays.map((r) => (
              <tr key={r.id} data-relay={r.id}>
                <th scope="row">
                  {r.id}
                  <span className="relays__endpoint">{r.endpoint}</span>
                </th>
                <td>{r.region}</td>
                <td>{r.latencyMs === null ? 'no answer' : latencyLabel(r.latencyMs)}</td>
                <td>
                  {[r.pinned ? 'Chosen' : null, r.inUse ? 'In use' : null]
                    .filter(Boolean)
                    .join(', ') || '—'}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button--small"
                    disabled={loading || r.pinned}
                    onClick={() => void pinRelay(r.id)}
                    aria-label={`Use relay ${r.id}`}
                  >
                    Use this relay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const NUMBER_FIELDS: { key: keyof EditableSettings; label: string; hint: string }[] = [
  {
    key: 'degradedThresholdMs',
    label: 'Slow above (ms)',
    hint: 'A peer above this latency is shown as slow. 10–5000.',
  },
  { key: 'monitorIntervalMs', label: 'Health check every (ms)', hint: '1000–600000.' },
  {
    key: 'reconnectAttempts',
    label: 'Reconnect attempts',
    hint: 'Before a peer is shown as not reachable. 0–20.',
  },
  { key: 'failedCleanupMs', label: 'Forget unreachable peers after (ms)', hint: '1000–3600000.' },
];

function SettingsForm() {
  const view = useSettingsStore((s) => s.view);
  const saving = useSettingsStore((s) => s.saving);
  const error = useSettingsStore((s) => s.error);
  const saved = useSettingsStore((s) => s.saved);
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    void loadSettings();
  }, []);
  useEffect(() => {
    if (view)
      setDraft(Object.fromEntries(Object.entries(view.settings).map(([k, v]) => [k, String(v)])));
  }, [view]);
  if (draft === null)
    return (
      <section className="panel">
        <p className="empty">{error ?? 'Loading settings…'}</p>
      </section>
    );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const notWhole = NUMBER_FIELDS.find(({ key }) => !/^\s*\d+\s*$/.test(draft[key] ?? ''));
    if (notWhole) {
      settingsStore.getState().failed(`${notWhole.label} must be a whole number.`);
      return;
    }
    void saveSettings({
      controlUrl: draft.controlUrl ?? '',
      name: draft.name ?? '',
      degradedThresholdMs: Number(draft.degradedThresholdMs),
      monitorIntervalMs: Number(draft.monitorIntervalMs),
      reconnectAttempts: Number(draft.reconnectAttempts),
      failedCleanupMs: Number(draft.failedCleanupMs),
      discovery: draft.discovery === 'true',
    });
  };
  const field = (key: string, value: string) => setDraft({ ...draft, [key]: value });
  return (
    <section className="panel panel--wide" aria-labelledby="settings-title">
      <h2 id="settings-title">Connection</h2>
      {view?.fileProblem && (
        <p className="form-error" role="alert">
          The saved settings file has a problem: {view.fileProblem}. The defaults are in use; saving
          replaces the file.
        </p>
      )}
      <form className="settings" onSubmit={submit} noValidate>
        <label htmlFor="controlUrl">LANrage server</label>
        <input
          id="controlUrl"
          value={draft.controlUrl ?? ''}
          onChange={(e) => field('controlUrl', e.target.value)}
        />
        <label htmlFor="name">Your name</label>
        <input
          id="name"
          value={draft.name ?? ''}
          maxLength={64}
          onChange={(e) => field('name', e.target.value)}
        />
        {NUMBER_FIELDS.map(({ key, label, hint }) => (
          <div key={key} className="settings__row">
            <label htmlFor={key}>{label}</label>
            <input
              id={key}
              inputMode="numeric"
              value={draft[key] ?? ''}
              aria-describedby={`${key}-hint`}
              onChange={(e) => field(key, e.target.value)}
            />
            <span id={`${key}-hint`} className="field-hint">
              {hint}
            </span>
          </div>
        ))}
        <div className="settings__row">
          <span className="settings__group">LAN games</span>
          <label className="check" htmlFor="discovery">
            <input
              id="discovery"
              type="checkbox"
              checked={draft.discovery === 'true'}
              aria-describedby="discovery-hint"
              onChange={(e) => field('discovery', String(e.target.checked))}
            />
            Carry LAN game discovery (broadcast and multicast) to the party
          </label>
          <span id="discovery-hint" className="field-hint">
            Games that find each other by LAN broadcast see the party&apos;s games. Turn off to keep
            your broadcasts to yourself.
          </span>
        </div>
        <div className="settings__actions">
          <button type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          {error !== null && (
            <p className="form-error" role="alert" data-testid="settings-error">
              Not saved: {error}
            </p>
          )}
          {saved && error === null && (
            <p className="form-ok" role="status">
              Saved.{' '}
              {view && view.restartNeeded.length > 0
                ? `${view.restartNeeded.join(' and ')} take effect when LANrage restarts.`
                : 'In effect now.'}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

function NotificationPrefs() {
  const prefs = useNotificationsStore((s) => s.prefs);
  const setPref = useNotificationsStore((s) => s.setPref);
  return (
    <section className="panel panel--wide" aria-labelledby="notify-title">
      <h2 id="notify-title">Notify me when</h2>
      <div className="checks">
        {NOTICE_KINDS.map((kind) => (
          <label key={kind} className="check">
            <input
              type="checkbox"
              checked={prefs[kind]}
              onChange={(e) => setPref(kind, e.target.checked)}
            />
            {NOTICE_LABELS[kind]}
          </label>
        ))}
      </div>
    </section>
  );
}
