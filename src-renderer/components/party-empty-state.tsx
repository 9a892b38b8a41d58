import { useState, type FormEvent } from 'react';
import { normalizeInviteCode } from '../../src-shared/domain/invite-code';
import { createParty, joinParty } from '../actions/party-actions';
import { selectPartyBlockedReason, useAppStore } from '../stores/app-store';
import { usePartyStore } from '../stores/party-store';

/** Before any party: create one (a name), or join one (the invite code, checked as it is typed). */
export function PartyEmptyState() {
  const blockedReason = useAppStore(selectPartyBlockedReason);
  const busy = usePartyStore((s) => s.busy);
  const error = usePartyStore((s) => s.error);
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const disabled = blockedReason !== null || busy !== null;
  // The CLI's rules (case, dashes, O/0, I/L/1 do not matter); shown once something is typed.
  const checked = code.trim() === '' ? null : normalizeInviteCode(code);
  const create = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== '') void createParty(name.trim());
  };
  const join = (event: FormEvent) => {
    event.preventDefault();
    if (checked?.ok) void joinParty(checked.value);
  };
  return (
    <section className="party-empty" aria-labelledby="party-title">
      <h2 id="party-title">Not in a party</h2>
      <p className="party-empty__lead">
        Create a party and send the invite code to your friends, or join theirs. Everyone in the
        party appears on one virtual LAN, so LAN games find each other.
      </p>
      {/* Disabled buttons get no hover events in Chromium, so the tooltip sits on a wrapper. */}
      <div className="party-empty__actions" title={blockedReason ?? undefined}>
        <form className="inline-form" onSubmit={create}>
          <label htmlFor="party-name">Party name</label>
          <input
            id="party-name"
            value={name}
            maxLength={64}
            placeholder="Friday LAN"
            disabled={disabled}
            onChange={(e) => setName(e.target.value)}
          />
          <button
            type="submit"
            className="button button--primary"
            disabled={disabled || name.trim() === ''}
            aria-describedby="party-blocked"
          >
            {busy === 'create' ? 'Creating…' : 'Create party'}
          </button>
        </form>
        <form className="inline-form" onSubmit={join}>
          <label htmlFor="invite-code">Invite code</label>
          <input
            id="invite-code"
            value={code}
            maxLength={40}
            placeholder="K7M2Q-9XTRA"
            autoComplete="off"
            spellCheck={false}
            disabled={disabled}
            aria-invalid={checked !== null && !checked.ok}
            aria-describedby="invite-check"
            onChange={(e) => setCode(e.target.value)}
          />
          <button
            type="submit"
            className="button"
            disabled={disabled || !checked?.ok}
            aria-describedby="party-blocked"
          >
            {busy === 'join' ? 'Joining…' : 'Join with invite code'}
          </button>
          <p
            id="invite-check"
            className={`field-hint${checked && !checked.ok ? ' field-hint--error' : ''}`}
          >
            {checked === null
              ? '10 letters and digits, as your friend sent them.'
              : checked.ok
                ? `Code ${checked.value}`
                : checked.error}
          </p>
        </form>
      </div>
      {blockedReason !== null && (
        <p id="party-blocked" className="party-empty__hint">
          {blockedReason}
        </p>
      )}
      {error !== null && error.command !== 'leave' && (
        <p className="form-error" role="alert" data-testid="party-error">
          {error.message}
        </p>
      )}
    </section>
  );
}
