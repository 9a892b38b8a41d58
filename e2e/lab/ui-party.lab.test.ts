import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromiumIn } from './browser-in-namespace.js';
import { runIn } from './exec.js';
import { ensureRenderer, PartyLab, type StatusJson } from './party-lab.js';

/**
 * The desktop app's UI, in web mode, against real `lanrage up --ui` cores in the NAT lab: each
 * player's own Chromium runs inside the player's namespace and drives that player's core through
 * the page, as a user would. ana is behind a port-restricted NAT and ben behind a symmetric one,
 * so their pair is relayed (the README's table), through the nearer relay.
 */
const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots');
/** NAT detection, a join, a relay bind and the first RTT: a few seconds, 30 s on a busy machine. */
const CONNECT_MS = 30_000;
/** A relay switch: the pin applies at once, the path moves within a few probe intervals. */
const SWITCH_MS = 20_000;
const WIDE = { width: 1040, height: 720 };

/** Port probing would take the symmetric ↔ port-restricted pair direct; this suite needs it relayed. */
const NO_PORT_PROBING = { portProbing: false };

let party: PartyLab;
let browsers: Browser[] = [];
let ana: Page;
let ben: Page;
let invite = '';
const pageProblems = new Map<Page, string[]>();

async function openUi(player: string, url: string): Promise<Page> {
  const browser = await launchChromiumIn(party.player(player).ns);
  browsers.push(browser);
  const page = await browser.newPage({ viewport: WIDE });
  page.setDefaultTimeout(CONNECT_MS);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  pageProblems.set(page, problems);
  await page.goto(url);
  await page.getByTestId('app-info').waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const card = (page: Page, peer: string) => page.locator(`[data-testid=peer][data-peer="${peer}"]`);
const toasts = (page: Page) => page.getByTestId('toasts').locator('.toast span').allTextContents();
const tab = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();
const peerIn = (s: StatusJson, name: string) => s.peers.find((p) => p.name === name);

/** The player's WireGuard interface as `ip` sees it: is the link up, and its IPv4 addresses. */
async function tunnelInterface(player: string): Promise<{ up: boolean; addresses: string[] }> {
  const { ns, wgName } = party.player(player);
  const link = await runIn(ns, 'ip', ['-o', 'link', 'show', 'dev', wgName]);
  const addr = await runIn(ns, 'ip', ['-o', '-4', 'address', 'show', 'dev', wgName]);
  return {
    up: /<[^>]*\bUP\b[^>]*>/.test(link.stdout),
    addresses: [...addr.stdout.matchAll(/ inet (\S+)/g)].map((m) => m[1]!),
  };
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ensureRenderer();
  party = await PartyLab.start({
    players: [
      { name: 'ana', nat: 'port_restricted' },
      { name: 'ben', nat: 'symmetric' },
    ],
    relays: [
      { name: 'near', delayMs: 2 },
      { name: 'far', delayMs: 15 },
    ],
  });
  // The UI's relay views need a relayed pair: port probing (port-probing.lab.test.ts) is off.
  const [anaUrl, benUrl] = await Promise.all([
    party.upWithUi('ana', NO_PORT_PROBING),
    party.upWithUi('ben', NO_PORT_PROBING),
  ]);
  expect(anaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  ana = await openUi('ana', anaUrl);
  ben = await openUi('ben', benUrl);
}, 120_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  browsers = [];
  await party?.stop();
}, 60_000);

describe('the LANrage UI in web mode, two players in the NAT lab', () => {
  it('starts idle: no party, Create and Join offered; the token leaves the address bar', async () => {
    expect(ana.url()).not.toContain('token=');
    expect(pageProblems.get(ana)).toEqual([]);
    expect(pageProblems.get(ben)).toEqual([]);
    await ana.getByRole('heading', { name: 'Not in a party' }).waitFor();
    expect(await ana.getByRole('status').textContent()).toBe('Not in a party');
    expect(await ana.getByTestId('app-info').textContent()).toMatch(/^LANrage \S+ · linux · web$/);
    await shot(ana, 'party-idle');
  });

  it('creates a party by clicking', async () => {
    await ana.getByLabel('Party name').fill('Friday LAN');
    await ana.getByRole('button', { name: 'Create party' }).click();
    invite = (await ana.getByTestId('invite-code').textContent()) ?? '';
    expect(invite).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await ana.getByTestId('party-name').textContent()).toBe('Friday LAN');
    const status = await party.status('ana');
    expect(status.party?.inviteCode).toBe(invite);
    await shot(ana, 'party-created');
  }, 60_000);

  it('checks an invite code as it is typed, and says clearly when no party has it', async () => {
    const field = ben.getByLabel('Invite code');
    await field.fill('K7M2');
    expect(await ben.locator('#invite-check').textContent()).toBe(
      'invite code has 4 letters and digits; it needs 10',
    );
    expect(await ben.getByRole('button', { name: 'Join with invite code' }).isDisabled()).toBe(
      true,
    );
    // Well-formed, but no party has it (1 chance in 2^50 of hitting ana's).
    const wrong = invite.startsWith('ZZZZZ') ? 'YYYYY-YYYYY' : 'ZZZZZ-ZZZZZ';
    await field.fill(wrong);
    expect(await ben.locator('#invite-check').textContent()).toBe(`Code ${wrong}`);
    await ben.getByRole('button', { name: 'Join with invite code' }).click();
    await expect
      .poll(() => ben.getByTestId('party-error').textContent(), { timeout: CONNECT_MS })
      .toBe(`No party has invite code ${wrong}. Check it with whoever sent it.`);
    await shot(ben, 'join-wrong-code');
  }, 60_000);

  it('joins by typing the code, however it is typed, and the creator is told', async () => {
    await ben.getByLabel('Invite code').fill(` ${invite.toLowerCase().replace('-', ' ')} `);
    await ben.getByRole('button', { name: 'Join with invite code' }).click();
    await ben.getByTestId('party-name').waitFor();
    expect(await ben.getByTestId('party-name').textContent()).toBe('Friday LAN');
    await expect
      .poll(() => ben.getByTestId('member').first().textContent(), { timeout: CONNECT_MS })
      .toMatch(/^ana10\.66\./);
    await shot(ben, 'party-joined');
    // ana's window tells her (web mode: an in-app toast), from her real core's status.
    await expect.poll(() => toasts(ana), { timeout: CONNECT_MS }).toContain('ben joined the party');
  }, 60_000);

  it('shows the other peer on both sides, relayed through the nearer relay, with a latency that updates', async () => {
    for (const [page, other] of [
      [ana, 'ben'],
      [ben, 'ana'],
    ] as const) {
      await tab(page, 'Peers');
      const peer = card(page, other);
      await expect
        .poll(() => peer.getByTestId('path').textContent(), { timeout: CONNECT_MS })
        .toBe('Relay near');
      await expect
        .poll(() => peer.getByTestId('latency').textContent(), { timeout: CONNECT_MS })
        .toMatch(/^\d+(\.\d)? ms$/);
      const first = await peer.getByTestId('latency').textContent();
      await expect
        .poll(() => peer.getByTestId('latency').textContent(), { timeout: CONNECT_MS })
        .not.toBe(first);
      expect(await peer.getByTestId('virtual-ip').textContent()).toMatch(/^10\.66\.\d+\.\d+$/);
    }
    await shot(ana, 'peers');
  }, 90_000);

  it('explains "Why relayed?" naming both NAT types, on both sides', async () => {
    await card(ana, 'ben').getByText('Why relayed?').click();
    const anaWhy = await card(ana, 'ben').locator('.why').textContent();
    expect(anaWhy).toContain(
      'You are behind a port-restricted NAT; ben is behind a symmetric NAT.',
    );
    await card(ben, 'ana').getByText('Why relayed?').click();
    const benWhy = await card(ben, 'ana').locator('.why').textContent();
    expect(benWhy).toContain(
      'You are behind a symmetric NAT; ana is behind a port-restricted NAT.',
    );
    await shot(ana, 'peers-why-relayed');
    await shot(ben, 'peers-why-relayed-ben');
  });

  it('holds the layout at 800×600', async () => {
    await ana.setViewportSize({ width: 800, height: 600 });
    expect(await ana.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    await shot(ana, 'peers-800x600');
    await ana.setViewportSize(WIDE);
  });

  it('moves the peer to the relay chosen in Settings, and back on Automatic; the UI and lanrage status agree', async () => {
    await tab(ana, 'Settings');
    const relays = ana.getByTestId('relays');
    await relays.locator('tr[data-relay="far"]').waitFor();
    await expect
      .poll(() => relays.locator('tr[data-relay="near"] td').nth(2).textContent(), {
        timeout: CONNECT_MS,
      })
      .toBe('In use');
    await shot(ana, 'settings');
    await ana.getByRole('button', { name: 'Use relay far' }).click();
    await expect
      .poll(() => relays.locator('tr[data-relay="far"] td').nth(2).textContent(), {
        timeout: SWITCH_MS,
      })
      .toMatch(/^Chosen/);
    await tab(ana, 'Peers');
    await expect
      .poll(() => card(ana, 'ben').getByTestId('path').textContent(), { timeout: SWITCH_MS })
      .toBe('Relay far');
    const pinned = await party.waitForStatus(
      'ana',
      (s) => peerIn(s, 'ben')?.relay?.id === 'far',
      SWITCH_MS,
      'ben via far',
    );
    expect(peerIn(pinned, 'ben')?.relay?.id).toBe('far');

    await tab(ana, 'Settings');
    await ana.getByRole('button', { name: 'Automatic' }).click();
    await expect
      .poll(() => ana.getByRole('button', { name: 'Automatic' }).getAttribute('aria-pressed'))
      .toBe('true');
    await tab(ana, 'Peers');
    await expect
      .poll(() => card(ana, 'ben').getByTestId('path').textContent(), { timeout: SWITCH_MS })
      .toBe('Relay near');
    const auto = await party.waitForStatus(
      'ana',
      (s) => peerIn(s, 'ben')?.relay?.id === 'near',
      SWITCH_MS,
      'ben back via near',
    );
    expect(peerIn(auto, 'ben')?.relay?.id).toBe('near');
  }, 90_000);

  it('turns LAN game discovery off from the keyboard in Settings: saved, applied at once, then back on', async () => {
    const discovery = () =>
      ana.getByLabel('Carry LAN game discovery (broadcast and multicast) to the party');
    /** The newest line of ana's core log that says what the helper was told about discovery. */
    const lastDiscoveryLine = async () => {
      const lines = ((await ana.getByTestId('logs').textContent()) ?? '').split('\n');
      return lines.filter((l) => /game discovery (is off|on)/.test(l)).at(-1) ?? '';
    };
    const saveAndApply = async (expected: RegExp) => {
      await ana.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => ana.locator('.form-ok').textContent()).toBe('Saved. In effect now.');
      await tab(ana, 'Logs');
      await expect.poll(lastDiscoveryLine, { timeout: 10_000 }).toMatch(expected);
      // Back in Settings the form is read again from the saved file (settings:get).
      await tab(ana, 'Settings');
    };

    await tab(ana, 'Settings');
    expect(await discovery().isChecked()).toBe(true);
    await discovery().focus();
    await ana.keyboard.press('Space');
    expect(await discovery().isChecked()).toBe(false);
    await saveAndApply(/game discovery is off \(config "discovery": false\)/);
    await expect.poll(() => discovery().isChecked()).toBe(false);
    // The view scrolls inside the window, so a full-page shot shows only what is scrolled to.
    await discovery().scrollIntoViewIfNeeded();
    await shot(ana, 'settings-discovery-off');

    await discovery().check();
    await saveAndApply(/game discovery on/);
    await expect.poll(() => discovery().isChecked()).toBe(true);
  }, 60_000);

  it('refuses an invalid setting with a message naming it', async () => {
    await tab(ana, 'Settings');
    await ana.getByLabel('Slow above (ms)').fill('5');
    await ana.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => ana.getByTestId('settings-error').textContent())
      .toBe('Not saved: Slow above (ms): must be at least 10');
    await shot(ana, 'settings-refused');
  });

  it('shows the core log and offers the diagnostics export', async () => {
    await tab(ana, 'Logs');
    await expect
      .poll(() => ana.getByTestId('logs').textContent(), { timeout: 10_000 })
      .toMatch(/\[party\]/);
    const download = ana.waitForEvent('download');
    await ana.getByRole('button', { name: 'Export diagnostics' }).click();
    expect((await download).suggestedFilename()).toMatch(/^lanrage-diagnostics-\d{8}-\d{6}\.json$/);
    await shot(ana, 'logs');
  });

  it('leaves with confirmation, the peer list empties on both sides and the other is told', async () => {
    await tab(ana, 'Party');
    await ana.getByRole('button', { name: 'Leave party' }).click();
    await shot(ana, 'leave-confirm');
    await ana.getByRole('button', { name: 'Yes, leave' }).click();
    await ana.getByRole('heading', { name: 'Not in a party' }).waitFor();
    await tab(ben, 'Peers');
    await ben.getByTestId('no-peers').waitFor({ timeout: CONNECT_MS });
    expect(await ben.getByTestId('peer').count()).toBe(0);
    await expect.poll(() => toasts(ben), { timeout: CONNECT_MS }).toContain('ana left the party');
    await shot(ben, 'peers-after-leave');
    await tab(ben, 'Party');
    await ben.getByRole('button', { name: 'Leave party' }).click();
    await ben.getByRole('button', { name: 'Yes, leave' }).click();
    await ben.getByRole('heading', { name: 'Not in a party' }).waitFor();
    await tab(ana, 'Peers');
    expect(await ana.getByText('You are not in a party.').isVisible()).toBe(true);
    expect((await party.status('ana')).peers).toEqual([]);
    expect((await party.status('ben')).party).toBeNull();
  }, 60_000);

  it('takes the interface down without its address on leave, and brings it back with the next party', async () => {
    // The core stays running in web mode; the interface stays too, but nothing is routed into it.
    expect(await tunnelInterface('ana')).toEqual({ up: false, addresses: [] });
    expect(await tunnelInterface('ben')).toEqual({ up: false, addresses: [] });
    await tab(ana, 'Party');
    await ana.getByLabel('Party name').fill('Second round');
    await ana.getByRole('button', { name: 'Create party' }).click();
    await ana.getByTestId('invite-code').waitFor();
    const virtualIp = (await party.status('ana')).self.virtualIp;
    expect(virtualIp).toMatch(/^10\.66\.\d+\.\d+$/);
    expect(await tunnelInterface('ana')).toEqual({ up: true, addresses: [`${virtualIp}/16`] });
  }, 60_000);
});
