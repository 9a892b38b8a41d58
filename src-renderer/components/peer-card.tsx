import { memo } from 'react';
import { selectSelf } from '../stores/party-selectors';
import {
  latencyLabel,
  pathLabel,
  selectPeer,
  selectSamples,
  showsReason,
  stateLabel,
} from '../stores/party-selectors';
import { usePartyStore } from '../stores/party-store';
import { CopyButton } from './copy-button';
import { Sparkline } from './sparkline';
import { WhyRelayed } from './why-relayed';

/** One peer: name, virtual IP, path, live latency with its 5-minute sparkline, state and reason. */
export const PeerCard = memo(function PeerCard({ id }: { id: string }) {
  const peer = usePartyStore(selectPeer(id));
  const samples = usePartyStore(selectSamples(id));
  const selfNat = usePartyStore((s) => selectSelf(s)?.natType ?? 'unknown');
  if (peer === null) return null;
  const last = samples?.[samples.length - 1];
  return (
    <li className={`peer peer--${peer.state}`} data-testid="peer" data-peer={peer.name}>
      <div className="peer__head">
        <span className="peer__name">{peer.name}</span>
        <span className={`path path--${peer.path ?? 'none'}`} data-testid="path">
          {pathLabel(peer)}
        </span>
        <span className="peer__latency" data-testid="latency">
          {latencyLabel(peer.latencyMs)}
        </span>
        <Sparkline samples={samples} now={last?.t ?? 0} />
      </div>
      <div className="peer__meta">
        <span>
          <span className="peer__ip" data-testid="virtual-ip">
            {peer.virtualIp}
          </span>{' '}
          <CopyButton text={peer.virtualIp} label={`${peer.name}'s address`} />
        </span>
        <span className={`peer__state peer__state--${peer.state}`}>{stateLabel(peer)}</span>
        {showsReason(peer) && <span className="peer__reason">{peer.reason}</span>}
      </div>
      {peer.path === 'relay' && (
        <WhyRelayed
          peerName={peer.name}
          selfNat={selfNat}
          peerNat={peer.natType}
          coordination={peer.coordination}
        />
      )}
    </li>
  );
});
