// Admin-API tokens on the Profile page, end to end: the built admin UI in Debian's headless
// Chromium against the real API server on a fresh embedded database. A token made in the
// browser works against /graphql until it is revoked there, and then gets a 401 saying so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { absent, disappears, launchChromium, newDesktopPage, shows } from './support/browser.ts';
import { buildUi, Lumen } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const PERSON = { email: 'mary@example.org', name: 'Mary Jackson' };

let lumen: Lumen;
let browser: Browser;
let page: Page;
let link: string;

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  // The CLI and the server cannot open the embedded database at the same time: prepare first.
  await lumen.cli('user', 'add', '--email', PERSON.email, '--name', PERSON.name);
  link = await lumen.loginLink(PERSON.email);
  await lumen.start();
  browser = await launchChromium();
  page = await newDesktopPage(browser);
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

describe('admin-API tokens on the Profile page', () => {
  let secret: string;
  let hint: string;

  it('creates a token: the secret is shown once, then only its hint, and it works', { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(link);
    await page.waitForURL(`${lumen.url}/clients`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await shows(page.getByRole('heading', { level: 1, name: PERSON.name }));
    const section = page.getByRole('region', { name: 'Admin-API Tokens', exact: true });
    await shows(section.getByText('No admin-API tokens.'));

    await section.getByRole('button', { name: '+ New Token' }).click();
    const naming = page.getByRole('dialog', { name: 'New admin-API token' });
    await naming.getByRole('textbox', { name: 'Name' }).fill('e2e-script');
    await naming.getByRole('combobox', { name: 'Expiration' }).selectOption({ label: '90 days' });
    await assertAccessible(page, 'the New admin-API token dialog');
    await naming.getByRole('button', { name: 'Create Token' }).click();

    const shown = page.getByRole('dialog', { name: 'Copy your new admin-API token' });
    await shows(shown.getByText('This is the only time the token is shown.'));
    await shows(shown.getByRole('button', { name: 'Copy' }));
    await assertAccessible(page, "the new token's secret");
    secret = await shown.getByRole('textbox', { name: 'Admin-API token “e2e-script”' }).inputValue();
    assert.match(secret, /^lat_[A-Za-z0-9_-]{49}$/);
    hint = `${secret.slice(0, 4)}...${secret.slice(-4)}`;
    await shown.getByRole('button', { name: 'Done' }).click();
    await disappears(shown);

    const row = section.getByRole('row', { name: /e2e-script/ });
    await shows(row.getByText(hint, { exact: true }));
    const expires = new Date(Date.now() + 90 * 24 * 3600 * 1000).toLocaleDateString('en-US', {
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      timeZone: 'UTC',
    });
    await shows(row.getByRole('cell', { name: new RegExp(expires) }));
    assert.ok(!(await page.content()).includes(secret), 'the secret is still in the page');

    const used = await lumen.asScript(secret);
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body.data?.viewer.email, PERSON.email);
    await page.reload();
    await shows(section.getByRole('row', { name: /e2e-script/ }).getByText(hint, { exact: true }));
    await absent(
      section.getByRole('row', { name: /e2e-script/ }).getByText('Never', { exact: true }),
      'Last Used: Never after a request with the token',
    );
    await assertAccessible(page, 'the Profile page with a token');
    assert.ok(!(await page.content()).includes(secret), 'the secret came back after a reload');
  });

  it('revokes it after a confirmation; the next request with it gets 401 saying so', { timeout: TEST_TIMEOUT }, async () => {
    const section = page.getByRole('region', { name: 'Admin-API Tokens', exact: true });
    await section.getByRole('button', { name: 'Revoke e2e-script' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “e2e-script”?' });
    await shows(confirm.getByText(/cannot be undone/));
    await assertAccessible(page, 'the revoke-token confirmation');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await disappears(confirm);
    await shows(page.getByText('Admin-API token “e2e-script” revoked.'));
    await disappears(section.getByRole('row', { name: /e2e-script/ }));
    await shows(section.getByText('No admin-API tokens.'));

    const refused = await lumen.asScript(secret);
    assert.equal(refused.status, 401);
    assert.match(refused.body.errors?.[0].message ?? '', /^This admin-API token was revoked on /);
  });
});
