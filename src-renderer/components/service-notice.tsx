import { selectError, selectService, useAppStore } from '../stores/app-store';

/** Shown instead of the party view when no service answers behind this window. */
export function ServiceNotice() {
  const service = useAppStore(selectService);
  const error = useAppStore(selectError);
  if (service === 'absent') {
    return (
      <section className="notice" aria-labelledby="notice-title">
        <h2 id="notice-title">No LANrage service connected</h2>
        <p>
          This page is LANrage&apos;s interface, but nothing on this computer is answering it. Open
          the LANrage app, or the whole address <code>lanrage up --ui</code> printed (it carries a
          secret token), to create or join a party.
        </p>
      </section>
    );
  }
  if (service === 'failed') {
    return (
      <section className="notice notice--error" aria-labelledby="notice-title">
        <h2 id="notice-title">The LANrage service is not responding</h2>
        <p>{error ?? 'No answer.'} Restarting LANrage usually fixes this.</p>
      </section>
    );
  }
  return null;
}
