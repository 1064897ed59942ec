// The client page end to end: the built admin UI in Debian's headless Chromium, against the
// real API server on a fresh embedded database, seeded with the `lumen` CLI. Usage comes
// from real /v1/chat/completions requests; the page hears about them over graphql-ws.
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { absent, disappears, hasText, launchChromium, shows } from './support/browser.ts';
import { buildUi, Lumen, ROOT } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
const ADMIN = { email: 'demo-admin@example.org', name: 'Dana Admin' }; // from `lumen seed --demo`
const MANAGER = { email: 'ada@example.org', name: 'Ada Lovelace' }; // manager of Research Chatbot
const NEW_USER = { email: 'katherine@example.org', name: 'Katherine Johnson' }; // added with `lumen user add`
const CLIENT = 'Research Chatbot';

const ints = new Intl.NumberFormat('en-US');
const formatInt = (n: number) => ints.format(n);

/** Deterministic prose of `count` words (the echo model counts a word as a token). */
function prose(count: number, seed: number): string {
  const words =
    'the model answers questions about protein folding sequencing grant reports lecture notes and code review for our research group'.split(
      ' ',
    );
  return Array.from({ length: count }, (_, i) => words[(i * 7 + seed) % words.length]).join(' ');
}

let lumen: Lumen;
let browser: Browser;
let adminLink: string;
let managerLink: string;
let seededKey: string;
let seededTokens = 0;
/** The Total Tokens Used figure after the live request (what a manager sees too). */
let totalTokensText = '';
/** The admin's tab, signed in once (a login link works only once). */
let adminPage: Page;
let clientUrl: string;

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  // The CLI and the server cannot open the embedded database at the same time: seed first.
  const seeded = await lumen.cli('seed', '--demo');
  seededKey = /shown once\): (sk_\S+)/.exec(seeded)?.[1] ?? assert.fail(`no key in the seed output:\n${seeded}`);
  await lumen.cli('user', 'add', '--email', NEW_USER.email, '--name', NEW_USER.name);
  adminLink = await lumen.loginLink(ADMIN.email);
  managerLink = await lumen.loginLink(MANAGER.email);
  const tokenOutput = await lumen.cli('token', 'create', '--email', ADMIN.email, '--name', 'e2e-seed-check');
  const adminToken = tokenOutput.trim().split('\n').at(-1)!.trim();
  await lumen.start();

  // The demo seed already metered a few requests of its own: start from what the API reports.
  const seededUsage = await lumen.graphql<{ clients: { edges: { node: { name: string; usage: { totalTokens: number } } }[] } }>(
    adminToken,
    'query E2E_SeededUsage($search: String) { clients(first: 5, search: $search) { edges { node { name usage { totalTokens } } } } }',
    { search: CLIENT },
  );
  const seededClient = seededUsage.clients.edges.find((edge) => edge.node.name === CLIENT);
  assert.ok(seededClient, `${CLIENT} is not in the seeded data`);
  seededTokens = seededClient.node.usage.totalTokens;
  assert.ok(seededTokens > 0, 'the demo seed metered no usage for the client');

  // A realistic history for the page (and its screenshots): requests of several sizes on
  // all three models with the seeded "production" key.
  const traffic: [string, number][] = [
    ['echo-small', 12000],
    ['echo-small', 8000],
    ['echo-large', 15000],
    ['echo-small', 20000],
    ['echo-restricted', 4000],
    ['echo-large', 9000],
    ['echo-small', 16000],
    ['echo-small', 6000],
    ['echo-large', 11000],
    ['echo-restricted', 2500],
  ];
  for (const [i, [model, words]] of traffic.entries()) {
    const { status, body } = await lumen.chat(seededKey, model, prose(words, i));
    assert.equal(status, 200, `seeding traffic on ${model}: ${JSON.stringify(body.error)}`);
    seededTokens += body.usage!.total_tokens;
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

/** What any page reported breaking the Content-Security-Policy, or asked of another origin. */
const violations: string[] = [];

async function newPage(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/CSP violation|Content Security Policy/.test(message.text())) violations.push(`${page.url()}: ${message.text().slice(0, 200)}`);
  });
  page.on('request', (request) => {
    if (/^https?:/.test(request.url()) && !request.url().startsWith(lumen.url)) violations.push(`${page.url()} asked ${request.url()}`);
  });
  page.setDefaultTimeout(20_000);
  return { context, page };
}

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const card = (page: Page, label: string) => region(page, 'Usage').getByRole('group', { name: label });

describe('the client page as an admin', () => {
  let page: Page;
  let secret: string;

  before(async () => {
    ({ page } = await newPage());
    adminPage = page;
  });

  it('signs in with a one-time link and lands on the clients list', { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(adminLink);
    await page.waitForURL(`${lumen.url}/clients`);
    await shows(page.getByRole('heading', { level: 1, name: 'Clients' }));
    await shows(page.getByRole('banner').getByText(ADMIN.name));
    await shows(page.getByRole('link', { name: CLIENT }));
    await shows(page.getByRole('link', { name: 'Notebook Service' }));
    // Admins may create clients (Query.viewerCan.createClient).
    await shows(page.getByRole('textbox', { name: 'New client' }));
    await assertAccessible(page, 'the clients list (admin)');
    // The link worked once; it does not work again.
    const again = await fetch(adminLink, { redirect: 'manual' });
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('location'), '/signin?error=expired');
  });

  it('opens a client: usage cards, managers, keys and model access with health', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('link', { name: CLIENT }).click();
    await page.waitForURL(/\/clients\/[^/]+$/);
    clientUrl = page.url();
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    await hasText(card(page, 'Total Tokens Used').getByRole('paragraph').first(), formatInt(seededTokens));
    await shows(card(page, 'Coin Pool').getByRole('progressbar', { name: 'Coin pool balance' }));
    await shows(card(page, 'Coin Refill').getByText('+50 coins / hour'));
    const managers = region(page, 'Managers');
    await shows(managers.getByRole('row', { name: /Ada Lovelace/ }));
    await shows(managers.getByRole('row', { name: /Grace Hopper/ }));
    const keys = region(page, 'API Keys');
    await shows(keys.getByRole('row', { name: /production/ }));
    await shows(keys.getByRole('row', { name: /staging/ }));
    const models = region(page, 'Model Access');
    for (const [model, access] of [
      ['echo-small', '✓ Allowed'],
      ['echo-large', '✓ Consented'],
      ['echo-restricted', '✓ Allowed'],
    ]) {
      const row = models.getByRole('row', { name: new RegExp(`^${model}`) });
      await shows(row.getByText(access, { exact: true }));
      await shows(row.getByText('OK', { exact: true })); // Model.status: recent requests succeeded
    }
    await assertAccessible(page, 'the client page (admin)');
  });

  it('adds a manager through the type-ahead and removes them again', { timeout: TEST_TIMEOUT }, async () => {
    const managers = region(page, 'Managers');
    await managers.getByRole('button', { name: '+ Add Manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Manager' });
    await dialog.getByRole('combobox', { name: 'Name or email' }).fill('kather');
    await shows(dialog.getByRole('option', { name: new RegExp(NEW_USER.name) }));
    await assertAccessible(page, 'the Add Manager dialog with suggestions');
    await dialog.getByRole('option', { name: new RegExp(NEW_USER.name) }).click();
    await dialog.getByRole('button', { name: 'Add Manager' }).click();
    await disappears(dialog);
    await shows(page.getByText(`${NEW_USER.name} is now a manager of ${CLIENT}.`));
    await shows(managers.getByRole('row', { name: new RegExp(NEW_USER.name) }));

    // Stored, not just shown: still there after a reload.
    await page.reload();
    await shows(managers.getByRole('row', { name: new RegExp(NEW_USER.name) }));

    await managers.getByRole('button', { name: `Remove ${NEW_USER.name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Remove ${NEW_USER.name}?` });
    await shows(confirm);
    await assertAccessible(page, 'the remove-manager confirmation');
    await confirm.getByRole('button', { name: 'Remove manager' }).click();
    await disappears(confirm);
    await disappears(managers.getByRole('row', { name: new RegExp(NEW_USER.name) }));
    await page.reload();
    await shows(managers.getByRole('row', { name: /Ada Lovelace/ }));
    await absent(managers.getByRole('row', { name: new RegExp(NEW_USER.name) }), `${NEW_USER.name} (removed)`);
  });

  it('creates a key: the secret is shown once, then only its hint', { timeout: TEST_TIMEOUT }, async () => {
    const keys = region(page, 'API Keys');
    await keys.getByRole('button', { name: '+ New API Key' }).click();
    const naming = page.getByRole('dialog', { name: 'New API Key' });
    await naming.getByRole('textbox', { name: 'Name' }).fill('e2e-runner');
    await assertAccessible(page, 'the New API Key dialog');
    await naming.getByRole('button', { name: 'Save Key' }).click();

    const shown = page.getByRole('dialog', { name: 'Copy your new API key' });
    await shows(shown.getByText('This is the only time the key is shown.'));
    await shows(shown.getByRole('button', { name: 'Copy' }));
    await assertAccessible(page, "the new key's secret");
    secret = await shown.getByRole('textbox', { name: 'API key “e2e-runner”' }).inputValue();
    assert.match(secret, /^sk_[A-Za-z0-9_-]{49}$/);
    const hint = `${secret.slice(0, 4)}...${secret.slice(-4)}`;
    await shown.getByRole('button', { name: 'Done' }).click();
    await disappears(shown);

    const row = keys.getByRole('row', { name: /e2e-runner/ });
    await shows(row.getByText(hint, { exact: true }));
    await shows(row.getByRole('button', { name: 'Revoke e2e-runner' }));
    // The secret is gone from the page for good: not in the DOM, not in an input.
    assert.ok(!(await page.content()).includes(secret), 'the secret is still in the page');
    await page.reload();
    await shows(keys.getByRole('row', { name: /e2e-runner/ }).getByText(hint, { exact: true }));
    assert.ok(!(await page.content()).includes(secret), 'the secret came back after a reload');
  });

  it('shows usage from a /v1 request with that key without reloading', { timeout: TEST_TIMEOUT }, async () => {
    const tokensCard = card(page, 'Total Tokens Used').getByRole('paragraph').first();
    const coinsCard = card(page, 'Coins Spent');
    const poolCard = card(page, 'Coin Pool');
    const valueOf = async (group: typeof coinsCard) => (await group.getByRole('paragraph').first().textContent())!.trim();
    const before = { tokens: formatInt(seededTokens), coins: await valueOf(coinsCard), pool: await valueOf(poolCard) };
    await hasText(tokensCard, before.tokens);
    const keyRow = region(page, 'API Keys').getByRole('row', { name: /e2e-runner/ });
    // Its Last Used cell (the Expires cell says Never too, and stays so).
    const lastUsed = keyRow.locator('td[data-label="Last Used"]');
    await shows(lastUsed.getByText('Never', { exact: true }));

    // A mark on this very document: it must survive, proving the page was not reloaded.
    await page.evaluate(() => Object.assign(window, { e2eNoReload: true }));

    // Any OpenAI client would do; this is the request it sends.
    const prompt = prose(40000, 3);
    const { status, body } = await lumen.chat(secret, 'echo-small', prompt);
    assert.equal(status, 200, JSON.stringify(body.error));
    assert.ok(prompt.startsWith(body.choices![0].message.content), 'the echo model answers with the prompt');
    const used = body.usage!.total_tokens;

    // The clientUsage subscription moves the cards and the key's counters in place.
    totalTokensText = formatInt(seededTokens + used);
    await hasText(tokensCard, totalTokensText);
    await disappears(coinsCard.getByText(before.coins, { exact: true }));
    await disappears(poolCard.getByText(before.pool, { exact: true }));
    await shows(keyRow.getByRole('cell', { name: formatInt(used), exact: true }));
    await disappears(lastUsed.getByText('Never', { exact: true }));
    assert.equal(page.url(), clientUrl);
    assert.equal(await page.evaluate(() => (window as { e2eNoReload?: boolean }).e2eNoReload), true, 'the page was reloaded');
  });

  it('revokes the key after a confirmation and lists it under Show revoked keys', { timeout: TEST_TIMEOUT }, async () => {
    const keys = region(page, 'API Keys');
    await keys.getByRole('button', { name: 'Revoke e2e-runner' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “e2e-runner”?' });
    await shows(confirm.getByText(/cannot be undone/));
    await assertAccessible(page, 'the revoke-key confirmation');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await disappears(confirm);
    await shows(page.getByText('API key “e2e-runner” revoked. It is listed under Show revoked keys.'));
    await disappears(keys.getByRole('row', { name: /e2e-runner/ }));

    await keys.getByRole('checkbox', { name: 'Show revoked keys' }).check();
    const row = keys.getByRole('row', { name: /e2e-runner/ });
    await shows(row.getByText('Revoked', { exact: true }));
    await assertAccessible(page, 'the API keys with revoked keys shown');
    await absent(row.getByRole('button', { name: /Revoke/ }), 'a Revoke button on a revoked key');
    // The revoked key no longer works.
    const { status, body } = await lumen.chat(secret, 'echo-small', 'still there?');
    assert.equal(status, 401);
    assert.equal(body.error?.code, 'revoked_api_key');
  });

  it('grants consent: Needs Consent → notice → confirm → Consented', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: 'CI Runner' }).click();
    await shows(page.getByRole('heading', { level: 1, name: 'CI Runner' }));
    const models = region(page, 'Model Access');
    const row = models.getByRole('row', { name: /^echo-large/ });
    await row.getByRole('button', { name: 'Needs Consent: review and grant consent for echo-large' }).click();
    const dialog = page.getByRole('dialog', { name: 'Consent for echo-large' });
    await shows(dialog.getByText(/kept for 30 days by its provider/));
    await assertAccessible(page, 'the consent dialog');
    await dialog.getByRole('button', { name: 'I agree, grant consent' }).click();
    await disappears(dialog);
    await shows(row.getByText('✓ Consented', { exact: true }));
    await shows(page.getByText('Consent granted: echo-large is now available to all API keys of CI Runner.'));
    await page.reload();
    await shows(models.getByRole('row', { name: /^echo-large/ }).getByText('✓ Consented', { exact: true }));
  });

  it('shows the admin’s own usage and budget on the Profile page', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await shows(page.getByRole('heading', { level: 1, name: ADMIN.name }));
    const cards = region(page, 'Your usage');
    await shows(cards.getByRole('group', { name: 'Coin Pool' }).getByText('Not configured', { exact: true }));
    await shows(cards.getByRole('group', { name: 'Coin Refill' }).getByText('No refill', { exact: true }));
    await shows(region(page, 'API Keys').getByText('No active API keys.'));
    await assertAccessible(page, 'the Profile page');
  });
});

describe('the client page as a manager', () => {
  it('has the same sections without the admin-only controls', { timeout: TEST_TIMEOUT }, async () => {
    const { context, page } = await newPage();
    try {
      // The sign-in page, as a person arriving without a link sees it.
      await page.goto(`${lumen.url}/signin`);
      await shows(page.getByRole('heading', { level: 1 }));
      await assertAccessible(page, 'the sign-in page');
      await page.goto(managerLink);
      await page.waitForURL(`${lumen.url}/clients`);
      await shows(page.getByRole('banner').getByText(MANAGER.name));
      await shows(page.getByText('The clients you manage.'));
      await page.getByRole('link', { name: CLIENT }).click();
      await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
      // What a manager may do is there…
      await shows(region(page, 'Managers').getByRole('row', { name: /Grace Hopper/ }));
      await shows(region(page, 'API Keys').getByRole('button', { name: '+ New API Key' }));
      await shows(region(page, 'API Keys').getByRole('button', { name: 'Revoke production' }));
      await shows(region(page, 'Model Access').getByRole('row', { name: /^echo-small/ }));
      await hasText(card(page, 'Total Tokens Used').getByRole('paragraph').first(), totalTokensText);
      // …and what only admins may do is not.
      await absent(page.getByRole('button', { name: '+ Add Manager' }), 'Add Manager');
      await absent(page.getByRole('button', { name: /^Remove / }), 'Remove (manager)');
      await absent(page.getByRole('button', { name: /^(Deactivate|Activate)$/ }), 'Activate/Deactivate');
      await absent(page.getByRole('button', { name: 'Coin pool settings' }), 'Coin pool settings');
      await absent(page.getByRole('combobox', { name: /Access rule/ }), 'access rule selects');
      await assertAccessible(page, 'the client page (manager)');

      await page.getByRole('link', { name: '← Clients' }).click();
      await shows(page.getByRole('link', { name: CLIENT }));
      await absent(page.getByRole('textbox', { name: 'New client' }), 'the New client form');
      await absent(page.getByRole('link', { name: 'Notebook Service' }), 'a client Ada does not manage');
      await assertAccessible(page, 'the clients list (manager)');
    } finally {
      await context.close();
    }
  });
});

describe('screenshots', () => {
  for (const [name, viewport] of [
    ['client-page-desktop', { width: 1280, height: 900 }],
    ['client-page-phone', { width: 390, height: 844 }],
  ] as const) {
    it(`writes docs/screenshots/${name}.png`, { timeout: TEST_TIMEOUT }, async () => {
      const page = adminPage;
      await page.setViewportSize(viewport);
      await page.goto(clientUrl);
      await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
      await hasText(card(page, 'Total Tokens Used').getByRole('paragraph').first(), totalTokensText);
      await shows(region(page, 'API Keys').getByRole('row', { name: /production/ }));
      await shows(region(page, 'Model Access').getByRole('row', { name: /^echo-large/ }));
      // The usage chart's drawing is loaded on demand: wait for its canvas.
      await shows(region(page, 'Usage over time').locator('canvas').first());
      await page.evaluate(() => document.fonts.ready);
      await mkdir(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      assert.ok((await stat(file)).size > 10_000, `${file} looks empty`);
    });
  }
});

describe('the Content-Security-Policy', () => {
  it('lets GraphiQL (development only) load from Lumen itself and run a query', { timeout: TEST_TIMEOUT }, async () => {
    const { context, page } = await newPage();
    try {
      // Signed in (a link from the running server, through its command socket): GraphiQL's requests
      // carry the session cookie, and must carry the anti-CSRF header too or they are refused.
      await page.goto(await lumen.loginLink(ADMIN.email));
      await page.waitForURL(`${lumen.url}/clients`);
      const response = await page.goto(`${lumen.url}/graphql`);
      assert.match(response!.headers()['content-security-policy'], /script-src 'self'(;|$)/);
      const editor = await shows(page.locator('.graphiql-query-editor .monaco-editor'));
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('{ __typename viewer { email ');
      await page.keyboard.press('Control+Enter');
      await shows(page.locator('.graphiql-response').getByText('"Query"'));
      await shows(page.locator('.graphiql-response').getByText(`"${ADMIN.email}"`));
    } finally {
      await context.close();
    }
  });

  it('was never broken by a page, and no page asked another origin', () => {
    assert.deepEqual(violations, []);
  });
});
