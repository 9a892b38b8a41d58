import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * A real Chromium running inside a player's network namespace, so `127.0.0.1` in the browser is
 * that player's own loopback, where its `lanrage up --ui` listens. Playwright drives Chromium over
 * a pipe (not a TCP port), so the namespace boundary does not get in its way: the executable it
 * launches is a two-line wrapper that enters the namespace first.
 */
export async function launchChromiumIn(ns: string): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), `lanrage-chromium-${ns}-`));
  const wrapper = join(dir, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({
    executablePath: wrapper,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
