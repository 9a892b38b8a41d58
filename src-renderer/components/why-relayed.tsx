import type { PeerCoordination } from '../../src-shared/domain/core-status';
import type { NatType } from '../../src-shared/domain/nat-type';
import { explainRelay } from '../../src-shared/domain/why-relayed';

/** "Why relayed?" as a disclosure: keyboard-operable, closed until asked. */
export function WhyRelayed(props: {
  peerName: string;
  selfNat: NatType;
  peerNat: NatType;
  coordination: PeerCoordination;
}) {
  const why = explainRelay(props);
  return (
    <details className="why">
      <summary>Why relayed?</summary>
      <p>{why.summary}</p>
      <p>{why.tried}</p>
      <p className="why__fix">{why.fix}</p>
    </details>
  );
}
