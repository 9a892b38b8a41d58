import { selectPartyBlockedReason, useAppStore } from '../stores/app-store';

/** The party view before any party: what LANrage does, and the two ways in. */
export function PartyEmptyState() {
  const blockedReason = useAppStore(selectPartyBlockedReason);
  const disabled = blockedReason !== null;
  return (
    <section className="party-empty" aria-labelledby="party-title">
      <h2 id="party-title">Not in a party</h2>
      <p className="party-empty__lead">
        Create a party and send the invite code to your friends, or join theirs. Everyone in the
        party appears on one virtual LAN, so LAN games find each other.
      </p>
      {/* Disabled buttons get no hover events in Chromium, so the tooltip sits on a wrapper. */}
      <div className="party-empty__actions" title={blockedReason ?? undefined}>
        <button
          type="button"
          className="button button--primary"
          disabled={disabled}
          aria-describedby="party-blocked"
        >
          Create party
        </button>
        <button
          type="button"
          className="button"
          disabled={disabled}
          aria-describedby="party-blocked"
        >
          Join with invite code
        </button>
      </div>
      {blockedReason !== null && (
        <p id="party-blocked" className="party-empty__hint">
          {blockedReason}
        </p>
      )}
    </section>
  );
}
