// The Models pages end to end: the built admin UI in Debian's headless Chromium against the
// real API server on a fresh embedded database (seeded with `lumen seed --demo`). A model made
// through the form answers /v1 with a key made in the browser; a price changed in the form
// bills the next request; a model disabled in the browser is refused with 403.
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { absent, disappears, launchChromium, shows } from './support/browser.ts';
import { buildUi, Lumen, ROOT } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
const ADMIN = 'demo-admin@example.org'; // from `lumen seed --demo`
const MANAGER = 'ada@example.org'; // a manager of Research Chatbot, not an admin
const CLIENT = 'Research Chatbot';
const MODEL = 'echo-e2e';

let lumen: Lumen;
let browser: Browser;
let adminLink: string;
let managerLink: string;
let adminToken: string;
let page: Page;
let secret: string;

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  // The CLI and the server cannot open the embedded database at the same time: prepare first.
  await lumen.cli('seed', '--demo');
  adminLink = await lumen.loginLink(ADMIN);
  managerLink = await lumen.loginLink(MANAGER);
  adminToken = (await lumen.cli('token', 'create', '--email', ADMIN, '--name', 'e2e-models')).trim().split('\n').at(-1)!.trim();
  await lumen.start();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  const tab = await context.newPage();
  tab.setDefaultTimeout(20_000);
  return tab;
}

/** Coins (an exact decimal string) in millionths of a millionth: exact arithmetic without floats. */
function pico(coins: string): bigint {
  const [whole, fraction = ''] = coins.split('.');
  return BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, '0').slice(0, 12));
}

/** What the API bills for a request: tokens times the price per million (prices in whole coins here). */
function billed(inputTokens: number, outputTokens: number, inputPrice: number, outputPrice: number): bigint {
  return (BigInt(inputTokens) * BigInt(inputPrice) + BigInt(outputTokens) * BigInt(outputPrice)) * 10n ** 6n;
}

/** The client's usage of the model, as the API reports it. */
async function modelUsage(): Promise<{ requests: number; coinsSpent: string }> {
  const data = await lumen.graphql<{
    clients: {
      edges: { node: { name: string; modelAccess: { model: { name: string }; usage: { requests: number; coinsSpent: string } }[] } }[];
    };
  }>(
    adminToken,
    'query E2E_ModelUsage($search: String) { clients(first: 5, search: $search) { edges { node { name modelAccess { model { name } usage { requests coinsSpent } } } } } }',
    { search: CLIENT },
  );
  const client = data.clients.edges.find((edge) => edge.node.name === CLIENT)!.node;
  return client.modelAccess.find((row) => row.model.name === MODEL)?.usage ?? { requests: 0, coinsSpent: '0' };
}

/** One /v1 request to the model with the key made in the browser: its tokens and what it cost. */
async function callModel(words: number): Promise<{ input: number; output: number; cost: bigint }> {
  const before = await modelUsage();
  const { status, body } = await lumen.chat(secret, MODEL, Array.from({ length: words }, (_, i) => `word${i % 17}`).join(' '));
  assert.equal(status, 200, JSON.stringify(body.error));
  const usage = await modelUsage();
  assert.equal(usage.requests, before.requests + 1);
  return {
    input: body.usage!.prompt_tokens,
    output: body.usage!.completion_tokens,
    cost: pico(usage.coinsSpent) - pico(before.coinsSpent),
  };
}

const modelRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

describe('the Models pages', () => {
  it('shows a manager no Models link, and "Admins only" for /models opened by its URL', { timeout: TEST_TIMEOUT }, async () => {
    const manager = await newPage();
    await manager.goto(managerLink);
    await manager.waitForURL(`${lumen.url}/clients`);
    const nav = manager.getByRole('navigation', { name: 'Main' });
    await shows(nav.getByRole('link', { name: 'Profile' }));
    await absent(nav.getByRole('link', { name: 'Models' }), 'the Models link for a manager');
    await manager.goto(`${lumen.url}/models`);
    await shows(manager.getByRole('heading', { level: 1, name: 'Admins only' }));
    await shows(manager.getByText(/The Models page is for the admins of this Lumen instance/));
    await assertAccessible(manager, 'the Admins only page (manager)');
    await manager.context().close();
  });

  it('lists every model for an admin, with health and the last 24 hours', { timeout: TEST_TIMEOUT }, async () => {
    page = await newPage();
    await page.goto(adminLink);
    await page.waitForURL(`${lumen.url}/clients`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.waitForURL(`${lumen.url}/models`);
    await shows(page.getByRole('heading', { level: 1, name: 'Models' }));
    for (const name of ['echo-small', 'echo-large', 'echo-restricted']) await shows(modelRow(name).getByText('OK', { exact: true }));
    await shows(modelRow('echo-large').getByText('Required', { exact: true }));
    await shows(modelRow('echo-restricted').getByText('Blocked', { exact: true }));
    await assertAccessible(page, 'the Models page');
  });

  it('creates a model through the form, showing problems beside their fields first', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('button', { name: '+ New Model' }).click();
    const form = page.getByRole('dialog', { name: 'New Model' });
    await form.getByLabel('Name', { exact: true }).fill(MODEL);
    await form.getByLabel('Provider').selectOption('openai-compatible');
    await form.getByLabel('Key variable name').fill('LUMEN_SECRET');
    await form.getByRole('button', { name: 'Create model' }).click();
    const keyVariable = form.getByLabel('Key variable name');
    await shows(form.getByText(/LUMEN_SECRET is not allowed/));
    assert.equal(await keyVariable.getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), MODEL, 'what was typed stays');
    await assertAccessible(page, 'the New Model form with errors');

    await form.getByLabel('Provider').selectOption('echo');
    await form.getByLabel('Upstream model').fill('echo');
    await form.getByLabel('Input price (coins per 1M tokens)').fill('1');
    await form.getByLabel('Output price (coins per 1M tokens)').fill('2');
    await form.getByRole('button', { name: 'Create model' }).click();
    await disappears(form);
    await shows(page.getByText(`${MODEL} was created. Clients can call it as "${MODEL}".`));
    await shows(modelRow(MODEL).getByRole('cell', { name: 'in 1.00 out 2.00' }));
  });

  it('calls the new model through /v1 with a key made in the browser', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: CLIENT }).click();
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    const keys = page.getByRole('region', { name: 'API Keys', exact: true });
    await keys.getByRole('button', { name: '+ New API Key' }).click();
    await page.getByRole('dialog', { name: 'New API Key' }).getByRole('textbox', { name: 'Name' }).fill('models-e2e');
    await page.getByRole('dialog', { name: 'New API Key' }).getByRole('button', { name: 'Save Key' }).click();
    const shown = page.getByRole('dialog', { name: 'Copy your new API key' });
    secret = await shown.getByRole('textbox', { name: 'API key “models-e2e”' }).inputValue();
    await shown.getByRole('button', { name: 'Done' }).click();
    await disappears(shown);

    const first = await callModel(300);
    assert.equal(first.cost, billed(first.input, first.output, 1, 2), 'billed at the price the form set');
  });

  it('bills the next request at a price changed in the Edit form', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await modelRow(MODEL)
      .getByRole('button', { name: `Edit ${MODEL}` })
      .click();
    const form = page.getByRole('dialog', { name: `Edit ${MODEL}` });
    const price = form.getByLabel('Input price (coins per 1M tokens)');
    assert.equal(await price.inputValue(), '1');
    await price.fill('3');
    await assertAccessible(page, 'the Edit model form');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await disappears(form);
    await shows(page.getByText(`${MODEL} was saved.`));
    await shows(modelRow(MODEL).getByText('3.00'));

    const next = await callModel(500);
    assert.equal(next.cost, billed(next.input, next.output, 3, 2), 'billed at the new price');
  });

  it('shows the model page with its settings and the clients with rules', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('link', { name: 'echo-restricted' }).click();
    await shows(page.getByRole('heading', { level: 1, name: 'echo-restricted' }));
    const rules = page.getByRole('region', { name: 'Clients with rules' });
    await shows(rules.getByRole('row', { name: new RegExp(CLIENT) }).getByText('Allowed', { exact: true }));
    await assertAccessible(page, 'a model page');
    await page.goto(`${lumen.url}/models`);
    await page.getByRole('link', { name: 'echo-large' }).click();
    await shows(page.getByRole('region', { name: 'Consent notice' }).getByText(/kept for 30 days by its provider/));
    await page.getByRole('link', { name: '← Models' }).click();
    await shows(page.getByRole('heading', { level: 1, name: 'Models' }));
  });

  it('fits a phone in one column, every control reachable', { timeout: TEST_TIMEOUT }, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shows(modelRow(MODEL).getByRole('button', { name: `Disable ${MODEL}` }));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'the page scrolls sideways at phone width');
    await assertAccessible(page, 'the Models page at phone width');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('writes docs/screenshots/models.png', { timeout: TEST_TIMEOUT }, async () => {
    await shows(modelRow(MODEL).getByText('OK', { exact: true }));
    // The whole table fits a 1280-wide window: no figure or button is pushed out of view.
    const hidden = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    assert.equal(hidden, 0, `the models table hides ${hidden}px on the right`);
    await page.evaluate(() => document.fonts.ready);
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, 'models.png');
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    assert.ok((await stat(file)).size > 10_000, `${file} looks empty`);
  });

  it('disables the model after a confirmation: /v1 answers 403 model_disabled', { timeout: TEST_TIMEOUT }, async () => {
    await modelRow(MODEL)
      .getByRole('button', { name: `Disable ${MODEL}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Disable ${MODEL}?` });
    await shows(confirm.getByText(/refused with 403/));
    await assertAccessible(page, 'the Disable confirmation');
    await confirm.getByRole('button', { name: 'Disable model' }).click();
    await disappears(confirm);
    await shows(page.getByText(`${MODEL} is disabled: new requests get 403 model_disabled.`));
    await disappears(modelRow(MODEL));

    const { status, body } = await lumen.chat(secret, MODEL, 'hello');
    assert.equal(status, 403);
    assert.equal(body.error?.code, 'model_disabled');

    // Listed under Show disabled, from where it can come back.
    await page.getByRole('checkbox', { name: /Show disabled/ }).check();
    await shows(modelRow(MODEL).getByText('Disabled', { exact: true }));
    await shows(modelRow(MODEL).getByRole('button', { name: `Enable ${MODEL}` }));
  });
});
