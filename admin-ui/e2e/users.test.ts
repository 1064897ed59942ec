// The Users pages end to end: the built admin UI in Debian's headless Chromium against the
// real API server on a fresh embedded database. An admin creates a user and makes them admin
// and back; deactivates a user, whose admin-API token (made with the CLI) is then refused; and
// gives a user a personal pool, after which their personal key works on /v1.
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { disappears, hasText, launchChromium, newDesktopPage, shows } from './support/browser.ts';
import { buildUi, Lumen, ROOT } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
const ADMIN = { email: 'demo-admin@example.org', name: 'Dana Admin' }; // from `lumen seed --demo`
const NEW_USER = { email: 'katherine@example.org', name: 'Katherine Johnson' }; // created in the browser
const TOKEN_USER = { email: 'dorothy@example.org', name: 'Dorothy Vaughan' }; // has an admin-API token; deactivated
const POOL_USER = { email: 'mary@example.org', name: 'Mary Jackson' }; // gets a personal pool

let lumen: Lumen;
let browser: Browser;
let page: Page;
let adminLink: string;
let poolUserLink: string;
let adminToken: string;
let userToken: string;

const lastLine = (output: string) => output.trim().split('\n').at(-1)!.trim();

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  // The CLI and the server cannot open the embedded database at the same time: prepare first.
  await lumen.cli('seed', '--demo');
  for (const person of [TOKEN_USER, POOL_USER]) await lumen.cli('user', 'add', '--email', person.email, '--name', person.name);
  adminToken = lastLine(await lumen.cli('token', 'create', '--email', ADMIN.email, '--name', 'e2e-check'));
  userToken = lastLine(await lumen.cli('token', 'create', '--email', TOKEN_USER.email, '--name', 'nightly-report'));
  adminLink = await lumen.loginLink(ADMIN.email);
  poolUserLink = await lumen.loginLink(POOL_USER.email);
  await lumen.start();
  browser = await launchChromium();
  page = await newDesktopPage(browser);
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

/** Whether the API says the user with this email is an admin. */
async function isAdmin(email: string): Promise<boolean> {
  const data = await lumen.graphql<{ allUsers: { edges: { node: { email: string; isAdmin: boolean } }[] } }>(
    adminToken,
    'query E2E_IsAdmin($search: String) { allUsers(search: $search, first: 5) { edges { node { email isAdmin } } } }',
    { search: email },
  );
  const user = data.allUsers.edges.find((edge) => edge.node.email === email);
  assert.ok(user, `${email} is not in allUsers`);
  return user.node.isAdmin;
}

const usersTable = () => page.getByRole('region', { name: 'User list' });
const rowOf = (name: string) => usersTable().getByRole('row', { name: new RegExp(name) });

describe('the Users page', () => {
  it('is in the navigation of an admin, and lists every user', { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(adminLink);
    await page.waitForURL(`${lumen.url}/clients`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(`${lumen.url}/users`);
    await shows(page.getByRole('heading', { level: 1, name: 'Users' }));
    await shows(rowOf(TOKEN_USER.name));
    await shows(rowOf('Ada Lovelace').getByRole('link', { name: 'Research Chatbot' }));
    await shows(rowOf(ADMIN.name).getByText('Admin', { exact: true }));
    await assertAccessible(page, 'the Users page');
  });

  it('creates a user, makes them admin, then removes admin', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('button', { name: '+ New User' }).click();
    const dialog = page.getByRole('dialog', { name: 'New User' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill(NEW_USER.name);
    await dialog.getByRole('textbox', { name: 'Email' }).fill(NEW_USER.email);
    await assertAccessible(page, 'the New User dialog');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await disappears(dialog);
    await shows(page.getByText(`login-link --email ${NEW_USER.email}`));
    const row = rowOf(NEW_USER.name);
    await hasText(row.getByRole('cell').nth(0), 'User');
    assert.equal(await isAdmin(NEW_USER.email), false);

    await row.getByRole('button', { name: `Make admin: ${NEW_USER.name}` }).click();
    const grant = page.getByRole('dialog', { name: `Make ${NEW_USER.name} an admin?` });
    await shows(grant.getByText(/see and change everything/));
    await assertAccessible(page, 'the Make admin confirmation');
    await grant.getByRole('button', { name: 'Make admin' }).click();
    await disappears(grant);
    await shows(page.getByText(`${NEW_USER.name} is now an admin.`));
    await hasText(row.getByRole('cell').nth(0), 'Admin');
    assert.equal(await isAdmin(NEW_USER.email), true);

    await row.getByRole('button', { name: `Remove admin from ${NEW_USER.name}` }).click();
    const revoke = page.getByRole('dialog', { name: `Remove admin from ${NEW_USER.name}?` });
    await assertAccessible(page, 'the Remove admin confirmation');
    await revoke.getByRole('button', { name: 'Remove admin' }).click();
    await disappears(revoke);
    await shows(page.getByText(`${NEW_USER.name} is no longer an admin.`));
    await hasText(row.getByRole('cell').nth(0), 'User');
    assert.equal(await isAdmin(NEW_USER.email), false);
  });

  it('deactivates a user after saying what stops working; their admin-API token is refused', { timeout: TEST_TIMEOUT }, async () => {
    const working = await lumen.asScript(userToken);
    assert.equal(working.status, 200, JSON.stringify(working.body));
    assert.equal(working.body.data?.viewer.email, TOKEN_USER.email);

    await rowOf(TOKEN_USER.name)
      .getByRole('button', { name: `Deactivate ${TOKEN_USER.name}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Deactivate ${TOKEN_USER.name}?` });
    for (const what of ['their browser sessions', 'their admin-API tokens', 'their personal API keys'])
      await shows(confirm.getByText(what));
    await assertAccessible(page, 'the Deactivate user confirmation');
    await confirm.getByRole('button', { name: 'Deactivate user' }).click();
    await disappears(confirm);
    await shows(page.getByText(new RegExp(`^${TOKEN_USER.name} is deactivated`)));
    await shows(rowOf(TOKEN_USER.name).getByText('Deactivated', { exact: true }));
    await shows(rowOf(TOKEN_USER.name).getByRole('button', { name: `Activate ${TOKEN_USER.name}` }));

    const refused = await lumen.asScript(userToken);
    assert.equal(refused.status, 401);
    assert.match(refused.body.errors?.[0].message ?? '', /belongs to a deactivated user/);

    // Their page says so too, and still lists the token (for an admin to revoke).
    await rowOf(TOKEN_USER.name).getByRole('link', { name: TOKEN_USER.name }).click();
    await shows(page.getByRole('heading', { level: 1, name: TOKEN_USER.name }));
    await shows(page.locator('.title-meta').getByText('Deactivated', { exact: true }));
    await shows(page.getByRole('region', { name: 'Admin-API Tokens' }).getByRole('row', { name: /nightly-report/ }));
    await assertAccessible(page, 'the page of a deactivated user');
  });
});

describe('a personal pool', () => {
  let secret: string;

  it('a personal key without a pool is refused on /v1', { timeout: TEST_TIMEOUT }, async () => {
    // The user makes their own key on their Profile page, in their own browser.
    const own = await newDesktopPage(browser);
    try {
      await own.goto(poolUserLink);
      await own.waitForURL(`${lumen.url}/clients`);
      // Not an admin: no Users link, and the page by its URL says who it is for.
      await shows(own.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }));
      assert.equal(await own.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count(), 0);
      await own.goto(`${lumen.url}/users`);
      await shows(own.getByRole('heading', { level: 1, name: 'Admins only' }));
      await assertAccessible(own, 'the Admins only page');

      await own.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
      await own.getByRole('button', { name: '+ New API Key' }).click();
      const naming = own.getByRole('dialog', { name: 'New API Key' });
      await naming.getByRole('textbox', { name: 'Name' }).fill('notebook');
      await naming.getByRole('button', { name: 'Save Key' }).click();
      const shown = own.getByRole('dialog', { name: 'Copy your new API key' });
      secret = await shown.getByRole('textbox', { name: 'API key “notebook”' }).inputValue();
      assert.match(secret, /^sk_/);
      await shown.getByRole('button', { name: 'Done' }).click();
    } finally {
      await own.context().close();
    }
    const { status, body } = await lumen.chat(secret, 'echo-small', 'Is my pool set up?');
    assert.equal(status, 403, JSON.stringify(body));
    assert.equal(body.error?.code, 'coin_pool_not_configured');
  });

  it("an admin sets it on the user's page with the pool dialog, and the key works", { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(`${lumen.url}/users`);
    await rowOf(POOL_USER.name).getByRole('link', { name: POOL_USER.name }).click();
    await shows(page.getByRole('heading', { level: 1, name: POOL_USER.name }));
    await shows(page.getByRole('region', { name: 'API Keys' }).getByRole('row', { name: /notebook/ }));
    await assertAccessible(page, 'the user page');

    await page.getByRole('button', { name: 'Coin pool settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Coin pool settings' });
    await shows(dialog.getByText(`The coin budget of ${POOL_USER.name}’s personal API keys.`));
    await dialog.getByRole('radio', { name: 'Limited', exact: true }).check();
    await dialog.getByRole('textbox', { name: 'Capacity (coins)' }).fill('100');
    await dialog.getByRole('textbox', { name: 'Balance (coins)' }).fill('100');
    await assertAccessible(page, 'the pool settings dialog for a user');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await disappears(dialog);
    const pool = page.getByRole('region', { name: 'Personal usage' }).getByRole('group', { name: 'Coin Pool' });
    await shows(pool.getByRole('progressbar', { name: 'Coin pool balance' }));

    const prompt = 'Summarise the notes from the group meeting in three bullet points';
    const { status, body } = await lumen.chat(secret, 'echo-small', prompt);
    assert.equal(status, 200, JSON.stringify(body.error));
    assert.equal(body.choices![0].message.content, prompt);

    await page.reload();
    const tokens = page.getByRole('region', { name: 'Personal usage' }).getByRole('group', { name: 'Total Tokens Used' });
    await hasText(tokens.getByRole('paragraph').first(), String(body.usage!.total_tokens));
    await shows(pool.getByRole('progressbar', { name: 'Coin pool balance' }));
  });
});

describe('screenshots', () => {
  for (const [name, open] of [
    [
      'users',
      async () => {
        await page.goto(`${lumen.url}/users`);
        await shows(rowOf(POOL_USER.name));
      },
    ],
    [
      'user-page',
      async () => {
        await page.goto(`${lumen.url}/users`);
        await rowOf(POOL_USER.name).getByRole('link', { name: POOL_USER.name }).click();
        await shows(page.getByRole('region', { name: 'API Keys' }).getByRole('row', { name: /notebook/ }));
        await shows(page.getByRole('region', { name: 'Sessions' }));
      },
    ],
  ] as const) {
    it(`writes docs/screenshots/${name}.png (desktop)`, { timeout: TEST_TIMEOUT }, async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await open();
      await page.evaluate(() => document.fonts.ready);
      await mkdir(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      assert.ok((await stat(file)).size > 10_000, `${file} looks empty`);
    });
  }

  it('fits a phone in one column: nothing wider than the screen', { timeout: TEST_TIMEOUT }, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const where of [`${lumen.url}/users`, page.url()]) {
      await page.goto(where);
      await shows(page.getByRole('heading', { level: 1 }));
      await shows(page.locator('table tbody tr').first());
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${where} scrolls sideways on a phone`);
      if (process.env.LUMEN_E2E_PHONE_SHOTS)
        await page.screenshot({
          path: path.join(process.env.LUMEN_E2E_PHONE_SHOTS, `${where.includes('/users/') ? 'user' : 'users'}-phone.png`),
          fullPage: true,
        });
    }
    await assertAccessible(page, 'the user page on a phone');
  });
});
