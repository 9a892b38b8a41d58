import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo } from '../../src-shared/ipc/contract.js';
import { inParty, peer, probed, relayed } from '../../src-shared/domain/testing/status-fixtures.js';
import { launchChromium } from './support/chromium.js';
import { RENDERER_DIR, SCREENSHOTS_DIR } from './support/paths.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { inPageCore, openTestPage, POLL } from './support/test-page.js';

const INFO: AppInfo = { name: 'LANrage', version: '0.1.0', platform: 'linux', mode: 'electron' };

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  [browser, server] = await Promise.all([launchChromium(), serveDirectory(RENDERER_DIR)]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page of the built renderer that records every console error and uncaught exception. */
function openPage(initScript?: string): Promise<{ page: Page; problems: string[] }> {
  return openTestPage(browser, server.url, { initScript });
}

describe('the app shell in a plain browser (no LANrage service)', () => {
  it('shows the window frame and says no LANrage service is connected', async () => {
    const { page, problems } = await openPage();
    await expect
      .poll(
        () => page.getByRole('heading', { name: 'No LANrage service connected' }).isVisible(),
        POLL,
      )
      .toBe(true);
    expect(await page.locator('.brand__name').textContent()).toBe('LANrage');
    expect(await page.getByRole('status').textContent()).toBe('No service');
    expect(await page.getByRole('heading', { name: 'Not in a party' }).isVisible()).toBe(true);
    expect(await page.title()).toBe('LANrage');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'app-shell-no-service.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('disables Create and Join and explains why in a tooltip', async () => {
    const { page } = await openPage();
    const create = page.getByRole('button', { name: 'Create party' });
    const join = page.getByRole('button', { name: 'Join with invite code' });
    await expect.poll(() => create.isDisabled(), POLL).toBe(true);
    expect(await join.isDisabled()).toBe(true);
    expect(await page.locator('.party-empty__actions').getAttribute('title')).toBe(
      'Requires the LANrage service',
    );
    expect(await page.locator('#party-blocked').textContent()).toBe('Requires the LANrage service');
    await page.close();
  });

  it('enforces the CSP: an injected inline script does not run', async () => {
    const { page } = await openPage();
    const ran = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', () => resolve(globalThis.__injected === true));
      const script = document.createElement('script');
      script.textContent = 'globalThis.__injected = true';
      document.body.append(script);
    })`);
    expect(ran).toBe(false);
    await page.close();
  });
});

describe('the app shell with a LANrage service behind the bridge', () => {
  it('shows the service info and the pushed state', async () => {
    const { page, problems } = await openPage(await inPageCore({ 'app:info': INFO }));
    const footer = page.getByTestId('app-info');
    await expect.poll(() => footer.textContent(), POLL).toBe('LANrage 0.1.0 · linux · desktop app');
    expect(await page.getByRole('status').textContent()).toBe('Not in a party');
    expect(await page.getByText('No LANrage service connected').count()).toBe(0);
    // A service is there: nothing blocks the party commands; Create waits for a name.
    expect(await page.locator('#party-blocked').count()).toBe(0);
    const create = page.getByRole('button', { name: 'Create party' });
    expect(await create.isDisabled()).toBe(true);
    await page.getByLabel('Party name').fill('Friday LAN');
    expect(await create.isDisabled()).toBe(false);

    await page.evaluate(`__lanrageTest.push('app:state', { state: 'connected' })`);
    await expect.poll(() => page.getByRole('status').textContent(), POLL).toBe('Connected');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'app-shell-connected.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tells the user when the service answers outside the contract', async () => {
    const { page } = await openPage(await inPageCore({ 'app:info': { name: 'LANrage' } }));
    await expect
      .poll(() =>
        page.getByRole('heading', { name: 'The LANrage service is not responding' }).isVisible(),
      )
      .toBe(true);
    expect(await page.getByRole('status').textContent()).toBe('Service error');
    await page.close();
  });

  it('ignores a pushed state outside the contract', async () => {
    const { page } = await openPage(await inPageCore({ 'app:info': INFO }));
    await expect.poll(() => page.getByRole('status').textContent(), POLL).toBe('Not in a party');
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'hacked' })`);
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'degraded' })`);
    await expect
      .poll(() => page.getByRole('status').textContent(), POLL)
      .toBe('Connected, some peers slow');
    await page.close();
  });
});

describe('the Peers view with port mapping', () => {
  /** Ben's router mapped a port (UPnP); cara is relayed and nobody's router mapped one. */
  const STATUS = inParty([
    peer('ben', {
      natType: 'symmetric',
      reason:
        "port_restricted_cone ↔ symmetric: the peer's router mapped a port (UPnP); direct via UPnP mapping (the peer's router, attempt 1)",
      coordination: {
        ...peer('ben').coordination,
        peerNat: 'symmetric',
        openedBy: 'port-mapping',
        portMapping: {
          self: {
            protocol: null,
            tried: [
              { protocol: 'pcp', error: 'no answer within 300 ms' },
              { protocol: 'nat-pmp', error: 'no answer within 300 ms' },
              { protocol: 'upnp', error: 'no UPnP gateway answered the SSDP search' },
            ],
          },
          peer: 'upnp',
          used: { whose: 'peer', protocol: 'upnp' },
        },
      },
    }),
    relayed('cara', 'eu-1', 41, {
      virtualIp: '10.66.0.3',
      coordination: {
        ...relayed('cara', 'eu-1', 41).coordination,
        portMapping: {
          self: {
            protocol: null,
            tried: [
              { protocol: 'pcp', error: 'no answer within 300 ms' },
              { protocol: 'nat-pmp', error: 'no answer within 300 ms' },
              { protocol: 'upnp', error: 'no UPnP gateway answered the SSDP search' },
            ],
          },
          peer: null,
          used: null,
        },
      },
    }),
  ]);

  it('says which router mapping opened a direct path, and what mapping a relayed pair tried', async () => {
    const { page, problems } = await openPage(
      await inPageCore({ 'app:info': INFO, 'party:status': STATUS }),
    );
    // As main greets a page: the state that goes with the status (both peers connected).
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'connected' })`);
    await expect.poll(() => page.getByRole('status').textContent(), POLL).toBe('Connected');
    await page.getByRole('button', { name: 'Peers', exact: true }).click();
    const ben = page.locator('[data-peer="ben"]');
    await expect
      .poll(() => ben.getByTestId('path').textContent(), POLL)
      .toBe('Direct via UPnP mapping');
    const cara = page.locator('[data-peer="cara"]');
    await cara.getByText('Why relayed?').click();
    await expect
      .poll(() => cara.textContent(), POLL)
      .toContain(
        "LANrage asked your router for a port mapping (PCP, NAT-PMP, UPnP); it offered none. Cara's router mapped none.",
      );
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'peers-port-mapping.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('a party with a peer reached over IPv6', () => {
  it('labels the IPv6 direct path plainly, beside IPv4 direct and relayed peers', async () => {
    const status = inParty([
      peer('ben', {
        virtualIp: '10.66.0.2',
        natType: 'symmetric',
        endpoint: '[2001:db8:2::2]:51820',
        latencyMs: 9,
        latencyHistory: [9],
        reason:
          'direct over IPv6 (no NAT on the way) after both sides’ probes opened their firewalls (attempt 1)',
      }),
      peer('cat', { virtualIp: '10.66.0.3', natType: 'full_cone', latencyMs: 14 }),
      relayed('dan', 'near', 31, { virtualIp: '10.66.0.4' }),
    ]);
    const { page, problems } = await openPage(
      await inPageCore({ 'app:info': INFO, 'party:status': status }),
    );
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Peers' })
      .click();
    const badge = (name: string) => page.locator(`[data-peer="${name}"] [data-testid="path"]`);
    await expect.poll(() => badge('ben').textContent(), POLL).toBe('Direct · IPv6');
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'connected' })`);
    await expect.poll(() => page.getByRole('status').textContent(), POLL).toBe('Connected');
    expect(await badge('cat').textContent()).toBe('Direct');
    expect(await badge('dan').textContent()).toBe('Relay near');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'party-ipv6-peer.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('a peer that port probing took direct', () => {
  it('says "Direct after port probing" on its path', async () => {
    const status = inParty([
      probed('ben'),
      relayed('cara', 'eu-1', 41, { virtualIp: '10.66.0.3' }),
    ]);
    const { page, problems } = await openPage(
      await inPageCore({ 'app:info': INFO, 'party:status': status }),
    );
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'connected' })`);
    await page.evaluate(`__lanrageTest.push('party:status', ${JSON.stringify(status)})`);
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Peers' })
      .click();
    const badge = (name: string) => page.locator(`[data-peer="${name}"] [data-testid="path"]`);
    await expect.poll(() => badge('ben').textContent(), POLL).toBe('Direct after port probing');
    expect(await badge('cara').textContent()).toBe('Relay eu-1');
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'peer-direct-after-port-probing.png') });
    // The Party view's members table has a narrower column for the same words: one line there too.
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Party' })
      .click();
    const pill = page.getByTestId('member').filter({ hasText: 'ben' }).locator('.path');
    await expect.poll(() => pill.textContent(), POLL).toBe('Direct after port probing');
    const box = (await pill.boundingBox())!;
    // One line of the 13 px pill is 22 px high (padding and border included); wrapped, 40 px.
    expect(box.height).toBeLessThan(30);
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'party-member-port-probing.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('the latency sparkline', () => {
  it('shows a just-connected peer’s single sample beside a peer with a minute of history', async () => {
    const status = inParty([
      peer('ben', {
        latencyMs: 24,
        latencyHistory: Array.from({ length: 60 }, (_, i) => 18 + ((i * 7) % 13)),
      }),
      peer('cat', { virtualIp: '10.66.0.3', latencyMs: 31, latencyHistory: [31] }),
    ]);
    const { page, problems } = await openPage(
      await inPageCore({ 'app:info': INFO, 'party:status': status }),
    );
    await page.evaluate(`__lanrageTest.push('app:state', { state: 'connected' })`);
    await page.getByRole('button', { name: 'Peers', exact: true }).click();
    const sparkline = (name: string) =>
      page.locator(`[data-peer="${name}"]`).getByRole('img', { name: /^Latency over/ });
    await expect
      .poll(() => sparkline('cat').getAttribute('aria-label'), POLL)
      .toBe('Latency over the last 5 minutes: peak 31 ms, now 31 ms');
    // One sample: a short flat stroke and the dot, not an empty box.
    expect(await sparkline('cat').locator('path').getAttribute('d')).toBe('M108.0,2.0 L118.0,2.0');
    expect(await sparkline('cat').locator('circle').count()).toBe(1);
    expect(await sparkline('ben').getAttribute('aria-label')).toBe(
      'Latency over the last 5 minutes: peak 30 ms, now 24 ms',
    );
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'peers-sparklines.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
