import { PeerCard } from '../components/peer-card';
import { ServiceNotice } from '../components/service-notice';
import { selectService, useAppStore } from '../stores/app-store';
import { selectInParty, selectPeers } from '../stores/party-selectors';
import { usePartyStore } from '../stores/party-store';
import { useViewStore } from '../stores/view-store';

/** Every peer with its path, latency and state. */
export function PeersView() {
  const service = useAppStore(selectService);
  const inParty = usePartyStore(selectInParty);
  const peers = usePartyStore(selectPeers);
  const show = useViewStore((s) => s.show);
  if (service !== 'ready') return <ServiceNotice />;
  if (!inParty) {
    return (
      <section className="panel">
        <h2>No peers</h2>
        <p className="empty">
          You are not in a party.{' '}
          <button type="button" className="link" onClick={() => show('party')}>
            Create or join one
          </button>
          .
        </p>
      </section>
    );
  }
  return (
    <section className="panel panel--wide" aria-labelledby="peers-title">
      <h2 id="peers-title">Peers</h2>
      {peers.length === 0 ? (
        <p className="empty" data-testid="no-peers">
          No one else is in the party yet.
        </p>
      ) : (
        <ul className="peers" data-testid="peers">
          {peers.map((p) => (
            <PeerCard key={p.id} id={p.id} />
          ))}
        </ul>
      )}
    </section>
  );
}
