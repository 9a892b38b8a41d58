import { normalizeInviteCode } from './invite-code.js';

/**
 * An invite link carries everything a friend needs to join safely: the invite code, the control
 * server, and the fingerprint of its TLS certificate, so the first connection is already pinned
 * (no trust-on-first-use window for an interceptor):
 *
 *   lanrage://join/K7M2Q-9XTRA?control=https%3A%2F%2Fcontrol.example%3A7400&fp=<43 characters>
 *
 * `fp` is absent when the control server has a CA-signed certificate or runs on loopback.
 */

export interface InviteLink {
  code: string;
  controlUrl: string;
  fingerprint: string | null;
}

const FINGERPRINT = /^[A-Za-z0-9_-]{43}$/;

export function formatInviteLink(link: InviteLink): string {
  const query = new URLSearchParams({ control: link.controlUrl });
  if (link.fingerprint) query.set('fp', link.fingerprint);
  return `lanrage://join/${encodeURIComponent(link.code)}?${query.toString()}`;
}

export function isInviteLink(text: string): boolean {
  return text.trim().toLowerCase().startsWith('lanrage://');
}

export function parseInviteLink(
  text: string,
): { ok: true; value: InviteLink } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, error: 'invite link is not a URL' };
  }
  if (url.protocol !== 'lanrage:' || url.host !== 'join') {
    return { ok: false, error: 'invite link must start with lanrage://join/' };
  }
  const code = normalizeInviteCode(decodeURIComponent(url.pathname.replace(/^\//, '')));
  if (!code.ok) return { ok: false, error: `invite link: ${code.error}` };
  const control = url.searchParams.get('control');
  if (!control || !/^https?:\/\//.test(control)) {
    return { ok: false, error: 'invite link has no http(s) control server' };
  }
  const fp = url.searchParams.get('fp');
  if (fp !== null && !FINGERPRINT.test(fp)) {
    return { ok: false, error: 'invite link fingerprint is not 43 base64url characters' };
  }
  return { ok: true, value: { code: code.value, controlUrl: control, fingerprint: fp } };
}
