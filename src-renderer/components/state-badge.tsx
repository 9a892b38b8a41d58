import { selectBadge, useAppStore } from '../stores/app-store';

export function StateBadge() {
  const tone = useAppStore((s) => selectBadge(s).tone);
  const label = useAppStore((s) => selectBadge(s).label);
  return (
    <span className={`state-badge state-badge--${tone}`} role="status" aria-live="polite">
      <span className="state-badge__dot" aria-hidden="true" />
      {label}
    </span>
  );
}
