/**
 * The one place that decides whether an IPC message comes from our own renderer.
 *
 * The renderer is untrusted in principle (it renders names and invite codes other people chose),
 * but a message that does not even come from our window's top frame showing our own page is
 * refused before its arguments are looked at: an iframe, a page we were navigated to by mistake,
 * or some other webContents must not reach the core.
 *
 * Pure on purpose: it takes the few fields it reads, so it is tested without Electron.
 */

/** The fields of Electron's `WebFrameMain` this check reads. */
export interface SenderFrameLike {
  readonly url: string;
  /** `null` for a top-level frame. */
  readonly parent: unknown;
}

/** The fields of Electron's `IpcMainInvokeEvent` this check reads. */
export interface IpcSenderLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: SenderFrameLike | null;
}

export interface TrustedSenderPolicy {
  /** ids of the webContents of our own windows. */
  readonly trustedWebContentsIds: ReadonlySet<number>;
  /** The page we load (dist/renderer/index.html as a file: URL). */
  readonly rendererUrl: string;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

/** Same document: scheme, host and path equal; query and fragment may differ (in-page routes). */
export function isSameDocument(candidate: string, expected: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(candidate);
    b = new URL(expected);
  } catch {
    return false;
  }
  return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
}

export function checkIpcSender(event: IpcSenderLike, policy: TrustedSenderPolicy): SenderVerdict {
  if (!policy.trustedWebContentsIds.has(event.sender.id)) {
    return { trusted: false, reason: `webContents ${event.sender.id} is not a LANrage window` };
  }
  const frame = event.senderFrame;
  if (frame === null) {
    // Electron gives null once the frame navigated away or was destroyed mid-message.
    return { trusted: false, reason: 'the sending frame is gone' };
  }
  if (frame.parent !== null) {
    return { trusted: false, reason: 'the message came from a sub-frame' };
  }
  if (!isSameDocument(frame.url, policy.rendererUrl)) {
    return {
      trusted: false,
      reason: `the sending page ${truncate(frame.url)} is not the LANrage UI`,
    };
  }
  return { trusted: true };
}

/** URLs in log lines are cut short: a hostile page could choose a very long one. */
const MAX_LOGGED_URL_CHARS = 120;

function truncate(text: string): string {
  return text.length > MAX_LOGGED_URL_CHARS ? `${text.slice(0, MAX_LOGGED_URL_CHARS)}…` : text;
}
