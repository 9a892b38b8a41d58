import { describe, expect, it } from 'vitest';
import { checkIpcSender, isSameDocument, type TrustedSenderPolicy } from './trusted-ipc-sender.js';

const RENDERER_URL = 'file:///opt/LANrage/resources/app.asar/dist/renderer/index.html';
const policy: TrustedSenderPolicy = {
  trustedWebContentsIds: new Set([7]),
  rendererUrl: RENDERER_URL,
};

function event(senderId: number, frame: { url: string; parent: unknown } | null) {
  return { sender: { id: senderId }, senderFrame: frame };
}

describe('checkIpcSender', () => {
  it('trusts the top frame of our window showing our page', () => {
    expect(checkIpcSender(event(7, { url: RENDERER_URL, parent: null }), policy)).toEqual({
      trusted: true,
    });
  });

  it('trusts our page with a fragment or query (in-page navigation)', () => {
    const url = `${RENDERER_URL}?view=peers#settings`;
    expect(checkIpcSender(event(7, { url, parent: null }), policy).trusted).toBe(true);
  });

  it('refuses a webContents that is not one of our windows', () => {
    const verdict = checkIpcSender(event(8, { url: RENDERER_URL, parent: null }), policy);
    expect(verdict).toEqual({ trusted: false, reason: 'webContents 8 is not a LANrage window' });
  });

  it('refuses a sub-frame even when it shows our page', () => {
    const verdict = checkIpcSender(event(7, { url: RENDERER_URL, parent: {} }), policy);
    expect(verdict).toEqual({ trusted: false, reason: 'the message came from a sub-frame' });
  });

  it('refuses a frame that is already gone', () => {
    expect(checkIpcSender(event(7, null), policy).trusted).toBe(false);
  });

  it('refuses another page in our window and keeps the logged URL short', () => {
    const url = `https://evil.example/${'a'.repeat(500)}`;
    const verdict = checkIpcSender(event(7, { url, parent: null }), policy);
    expect(verdict.trusted).toBe(false);
    if (!verdict.trusted) expect(verdict.reason.length).toBeLessThan(200);
  });

  it('refuses another local file', () => {
    const url = 'file:///opt/LANrage/resources/app.asar/dist/renderer/other.html';
    expect(checkIpcSender(event(7, { url, parent: null }), policy).trusted).toBe(false);
  });
});

describe('isSameDocument', () => {
  it('compares scheme, host and path only', () => {
    expect(isSameDocument('http://127.0.0.1:5/index.html#x', 'http://127.0.0.1:5/index.html')).toBe(
      true,
    );
    expect(isSameDocument('http://127.0.0.1:6/index.html', 'http://127.0.0.1:5/index.html')).toBe(
      false,
    );
    expect(isSameDocument('https://127.0.0.1:5/index.html', 'http://127.0.0.1:5/index.html')).toBe(
      false,
    );
  });

  it('treats an unparseable URL as a different document instead of throwing', () => {
    expect(isSameDocument('not a url', RENDERER_URL)).toBe(false);
    expect(isSameDocument('', RENDERER_URL)).toBe(false);
  });
});
