// Debian's Chromium driven by playwright-core (no downloaded browsers), and the few
// auto-waiting assertions the suite needs (playwright-core has locators, not `expect`).
import assert from 'node:assert/strict';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.LUMEN_E2E_CHROMIUM ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling home, which floods a
// closed network and slows every page.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Generous: a 2-core CI machine builds, serves and renders at once. Never asserted on. */
export const WAIT_MS = 20_000;

/** A page in a context of its own: a desktop window, English, UTC (dates in screenshots stay put). */
export async function newDesktopPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  return page;
}

/** Waits until the locator shows (one element). */
export async function shows(locator: Locator, timeout = WAIT_MS): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

/** Waits until nothing matches the locator any more. */
export async function disappears(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.waitFor({ state: 'hidden', timeout });
}

/** Waits until the locator's text is exactly `text` (after trimming); fails with the last text seen. */
export async function hasText(locator: Locator, text: string, timeout = WAIT_MS): Promise<void> {
  try {
    await locator.filter({ hasText: new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`) }).waitFor({ state: 'visible', timeout });
  } catch (error) {
    const seen = await locator.textContent({ timeout: 1000 }).catch(() => '(nothing)');
    assert.fail(`expected "${text}", the page shows "${seen?.trim()}" (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Asserts that nothing matches, once the page has shown what it is waiting for. */
export async function absent(locator: Locator, what: string): Promise<void> {
  assert.equal(await locator.count(), 0, `${what} should not be on the page`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
