import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from './paths.js';

/** The UI renders in well under a second; 5 s absorbs a busy shared machine. */
export const UI_WAIT_MS = 5_000;
export const POLL = { timeout: UI_WAIT_MS, interval: 50 };

/** A page of the built renderer that records every console error and uncaught exception. */
export async function openTestPage(
  browser: Browser,
  url: string,
  o: { initScript?: string; viewport?: { width: number; height: number } } = {},
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1040, height: 700 } });
  // Locators wait for elements; a missing one should fail in seconds, not at the test timeout.
  page.setDefaultTimeout(UI_WAIT_MS);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  if (o.initScript !== undefined) await page.addInitScript({ content: o.initScript });
  await page.goto(url);
  return { page, problems };
}

/**
 * The real createBridge over an in-page core (support/in-page-core.ts), bundled for the browser:
 * each invoke channel in `answers` answers with that value, the others are unavailable.
 */
export async function inPageCore(answers: Record<string, unknown>): Promise<string> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ['e2e/ui/support/in-page-core.ts'],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    define: { IN_PAGE_ANSWERS: JSON.stringify(answers) },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
