// Long names at desktop and phone width (issue 12): a client and keys named with 100
// characters, the longest the API takes, in the built admin UI in Debian's headless Chromium
// against the real server. The copy-key dialog wraps them; the tables cut them, so Tokens,
// Coins and Revoke stay on screen. Focus goes where the keyboard needs it, and every page and
// dialog passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { disappears, launchChromium, shows, WAIT_MS } from './support/browser.ts';
import { buildUi, Lumen } from './support/lumen.ts';

const TEST_TIMEOUT = 120_000;
const ADMIN = { email: 'demo-admin@example.org' }; // from `lumen seed --demo`
const CLIENT = 'Research Chatbot of the Department of Computational Biology, Bioinformatics and Systems Medicine'.padEnd(100, '.');
/** No spaces at all: the hardest to wrap. */
const keyName = (prefix: string) => `${prefix}-nightly-batch-jobs-of-the-computational-biology-group-`.padEnd(100, '0');
const VIEWPORTS = [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const;

let lumen: Lumen;
let browser: Browser;
let page: Page;
let adminLink: string;
let clientUrl: string;

before(async () => {
  assert.equal(CLIENT.length, 100);
  assert.equal(keyName('desktop').length, 100);
  await buildUi();
  lumen = await Lumen.create();
  await lumen.cli('seed', '--demo');
  adminLink = await lumen.loginLink(ADMIN.email);
  await lumen.start();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORTS[0][1], locale: 'en-US', timezoneId: 'UTC' });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

const region = (name: string) => page.getByRole('region', { name, exact: true });

/** The element lies inside the window from left to right (it may be scrolled to vertically). */
async function onScreen(locator: Locator, width: number, what: string): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  assert.ok(box, `${what} is not rendered`);
  assert.ok(box.x >= 0 && box.x + box.width <= width + 0.5, `${what} is at x=${box.x}…${box.x + box.width}, outside a ${width} px window`);
}

/** Nothing in the dialog reaches past its edges, and the dialog fits the window. */
async function fits(dialog: Locator, width: number, what: string): Promise<void> {
  await onScreen(dialog, width, what);
  const spill = await dialog.evaluate((panel) => {
    const edge = panel.getBoundingClientRect().right + 1;
    return Array.from(panel.querySelectorAll('*'))
      .filter((child) => child.getBoundingClientRect().right > edge)
      .map((child) => `${child.tagName.toLowerCase()}.${child.className}`);
  });
  assert.deepEqual(spill, [], `${what}: these spill out of the dialog`);
  assert.ok(await dialog.evaluate((panel) => panel.scrollWidth <= panel.clientWidth), `${what} scrolls sideways`);
}

/** Waits until the element has focus; fails saying where focus is instead. */
async function hasFocus(locator: Locator, what: string): Promise<void> {
  const element = await locator.elementHandle();
  try {
    await page.waitForFunction((el) => el === document.activeElement, element, { timeout: WAIT_MS });
  } catch {
    const where = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160) ?? 'nothing');
    assert.fail(`${what} should have focus; it is on ${where}`);
  }
}

describe('100-character names', () => {
  it('creates a client with a 100-character name from the clients list', { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(adminLink);
    await page.waitForURL(`${lumen.url}/clients`);
    await page.getByRole('textbox', { name: 'New client' }).fill(CLIENT);
    await page.getByRole('button', { name: 'Create client' }).click();
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    clientUrl = page.url();
    await shows(region('API Keys').getByText('No active API keys.'));
  });

  for (const [label, viewport] of VIEWPORTS) {
    it(`keeps keys and the clients list usable at ${label} width (${viewport.width} px)`, { timeout: TEST_TIMEOUT }, async () => {
      const name = keyName(label);
      await page.setViewportSize(viewport);
      await page.goto(clientUrl);
      await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
      await onScreen(page.getByRole('heading', { level: 1, name: CLIENT }), viewport.width, 'the client name');
      const keys = region('API Keys');

      // Save Key: focus moves to the dialog with the secret, on Copy; the long names wrap inside it.
      await keys.getByRole('button', { name: '+ New API Key' }).click();
      const naming = page.getByRole('dialog', { name: 'New API Key' });
      await naming.getByRole('textbox', { name: 'Name' }).fill(name);
      await fits(naming, viewport.width, 'the New API Key dialog');
      await naming.getByRole('button', { name: 'Save Key' }).click();
      const shown = page.getByRole('dialog', { name: 'Copy your new API key' });
      const copy = shown.getByRole('button', { name: 'Copy' });
      await shows(copy);
      await hasFocus(copy, 'Copy, after Save Key');
      await shows(shown.getByRole('textbox', { name: `API key “${name}”` }));
      await fits(shown, viewport.width, 'the copy-key dialog');
      await assertAccessible(page, `the copy-key dialog with a 100-character name (${label})`);

      // Escape asks before the secret is gone for good; Cancel (focused) goes back to it.
      await page.keyboard.press('Escape');
      const ask = page.getByRole('dialog', { name: 'Close without the key?' });
      await shows(ask);
      await hasFocus(ask.getByRole('button', { name: 'Cancel' }), 'Cancel, in the question before closing');
      await fits(ask, viewport.width, 'the close question');
      await assertAccessible(page, `the question before closing the secret (${label})`);
      await page.keyboard.press('Enter');
      await disappears(ask);
      await hasFocus(copy, 'Copy, after going back');
      await shown.getByRole('button', { name: 'Done' }).click();
      await disappears(shown);

      // The row: the name cut with an ellipsis, the figures and Revoke on screen.
      const row = keys.getByRole('row').filter({ has: page.getByRole('button', { name: `Revoke ${name}` }) });
      const cut = row.getByText(name, { exact: true });
      await shows(cut);
      assert.equal(await cut.getAttribute('title'), name);
      for (const column of ['Tokens', 'Coins'])
        await onScreen(row.locator(`td[data-label="${column}"]`), viewport.width, `${column} of the key`);
      const revoke = row.getByRole('button', { name: `Revoke ${name}` });
      await onScreen(revoke, viewport.width, 'Revoke');
      await assertAccessible(page, `the client page with 100-character names (${label})`);

      // Revoke: the confirmation wraps the name, Cancel has focus; afterwards focus is on the keys heading.
      await revoke.click();
      const confirm = page.getByRole('dialog', { name: `Revoke “${name}”?` });
      await hasFocus(confirm.getByRole('button', { name: 'Cancel' }), 'Cancel, in the revoke confirmation');
      await fits(confirm, viewport.width, 'the revoke confirmation');
      await assertAccessible(page, `the revoke confirmation with a 100-character name (${label})`);
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await disappears(confirm);
      await hasFocus(keys.getByRole('heading', { name: 'API Keys' }), 'the API Keys heading, after Revoke');
      await disappears(row);

      // The clients list: the name cut, its figures on screen.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      const link = page.getByRole('link', { name: CLIENT });
      await shows(link);
      assert.equal(await link.getByText(CLIENT).getAttribute('title'), CLIENT);
      const clientRow = page.getByRole('row').filter({ has: link });
      for (const column of ['Tokens', 'Coins spent', 'Coin pool']) {
        await onScreen(clientRow.locator(`td[data-label="${column}"]`), viewport.width, `${column} of the client`);
      }
      await assertAccessible(page, `the clients list with a 100-character name (${label})`);
    });
  }
});
