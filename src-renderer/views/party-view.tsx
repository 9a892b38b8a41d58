import { useEffect, useRef, useState } from 'react';
import { leaveParty } from '../actions/party-actions';
import { CopyButton } from '../components/copy-button';
import { PartyEmptyState } from '../components/party-empty-state';
import { ServiceNotice } from '../components/service-notice';
import { selectProblem, selectService, useAppStore } from '../stores/app-store';
import {
  latencyLabel,
  pathLabel,
  selectParty,
  selectPeers,
  selectSelf,
} from '../stores/party-selectors';
import { usePartyStore } from '../stores/party-store';

/** The party: how to get in, or who is in it, the invite code and the way out. */
export function PartyView() {
  const service = useAppStore(selectService);
  const problem = useAppStore(selectProblem);
  const party = usePartyStore(selectParty);
  if (service !== 'ready') {
    // What LANrage offers stays visible, disabled, with the reason beside it.
    return (
      <>
        <ServiceNotice />
        <PartyEmptyState />
      </>
    );
  }
  return (
    <>
      {problem !== null && (
        <section className="notice notice--error" role="alert">
          <h2>LANrage cannot start a party</h2>
          <p>{problem}</p>
        </section>
      )}
      {party === null ? <PartyEmptyState /> : <PartyPanel />}
    </>
  );
}

function PartyPanel() {
  const party = usePartyStore(selectParty)!;
  const self = usePartyStore(selectSelf);
  const peers = usePartyStore(selectPeers);
  const busy = usePartyStore((s) => s.busy);
  const error = usePartyStore((s) => s.error);
  const [confirming, setConfirming] = useState(false);
  const stayRef = useRef<HTMLButtonElement>(null);
  const leaveRef = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // The question takes the focus on its safe answer (Enter twice must not leave the party, as
  // the tray's dialog defaults to Stay); answered Stay or Escape, focus goes back to Leave party.
  useEffect(() => {
    if (confirming) stayRef.current?.focus();
    else if (asked.current) leaveRef.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  return (
    <section className="panel" aria-labelledby="party-name-title">
      <div className="panel__head">
        <h2 id="party-name-title" data-testid="party-name">
          {party.name}
        </h2>
        {!confirming && (
          <button
            ref={leaveRef}
            type="button"
            className="button"
            onClick={() => setConfirming(true)}
            disabled={busy !== null}
          >
            Leave party
          </button>
        )}
      </div>
      {confirming && (
        <div
          className="confirm"
          role="alertdialog"
          aria-labelledby="leave-question"
          onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}
        >
          <p id="leave-question">
            Leave “{party.name}”? Everyone in the party loses the connection to you.
          </p>
          <button
            type="button"
            className="button button--danger"
            disabled={busy !== null}
            onClick={() => void leaveParty().then(() => setConfirming(false))}
          >
            {busy === 'leave' ? 'Leaving…' : 'Yes, leave'}
          </button>
          <button
            ref={stayRef}
            type="button"
            className="button"
            onClick={() => setConfirming(false)}
          >
            Stay
          </button>
        </div>
      )}
      {error?.command === 'leave' && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="invite">
        <span className="invite__label">Invite code</span>
        <code className="invite__code" data-testid="invite-code">
          {party.inviteCode}
        </code>
        <CopyButton text={party.inviteCode} label="invite code" />
      </div>
      <h3>Members</h3>
      <ul className="members" data-testid="members">
        {self && (
          <li className="member">
            <span className="member__name">{self.name} (you)</span>
            <span className="member__ip">{self.virtualIp ?? '—'}</span>
            <span className="path path--self">You</span>
            <span className="member__latency">—</span>
          </li>
        )}
        {peers.map((p) => (
          <li key={p.id} className="member" data-testid="member">
            <span className="member__name">{p.name}</span>
            <span className="member__ip">{p.virtualIp}</span>
            {/* The column is narrow: a long relay name ends in "…", the whole label is the title. */}
            <span className={`path path--${p.path ?? 'none'}`} title={pathLabel(p)}>
              {pathLabel(p)}
            </span>
            <span className="member__latency">{latencyLabel(p.latencyMs)}</span>
          </li>
        ))}
      </ul>
      {peers.length === 0 && (
        <p className="empty">No one else here yet. Send them the invite code.</p>
      )}
    </section>
  );
}
