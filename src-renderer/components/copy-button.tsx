import { useState } from 'react';

/** How long "Copied" stays before the button reads "Copy" again. */
const COPIED_MS = 1_500;

/** Copies `text`; says so for a moment. `label` names what is copied, for screen readers. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
    setTimeout(() => setCopied(null), COPIED_MS);
  };
  return (
    <button
      type="button"
      className="button button--small"
      onClick={copy}
      aria-label={`Copy ${label}`}
    >
      {copied === null ? 'Copy' : copied ? 'Copied' : 'Copy failed'}
    </button>
  );
}
