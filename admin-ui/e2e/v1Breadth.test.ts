// Issue 14's admin pages end to end: the built admin UI in Debian's headless Chromium against
// the real API server on a fresh embedded database (seeded with `lumen seed --demo`). An
// embedding model made through the form answers /v1/embeddings; a key made in the New API Key
// dialog with a 30-day expiry shows its date, and a key expiring within 7 days says so in words;
// rate limits set in the Edit Rate Limits dialog count the /v1 requests of the client's keys and
// refuse the one over the limit. /v1 is called with the official `openai` client.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { absent, disappears, hasText, launchChromium, newDesktopPage, shows } from './support/browser.ts';
import { buildUi, Lumen } from './support/lumen.ts';

const TEST_TIMEOUT = 120_000;
const ADMIN = 'demo-admin@example.org'; // from `lumen seed --demo`
const CLIENT = 'Research Chatbot';
const EMBEDDING_MODEL = 'embed-e2e';
const CHAT_MODEL = 'echo-small'; // from `lumen seed --demo`
const NEW_KEY = 'e2e-30-days';
const EXPIRING_KEY = 'e2e-expiring-soon';
const DAY_MS = 24 * 3600 * 1000;
/** The client's limits typed into the dialog: the requests one is reached below, the tokens one is not. */
const REQUESTS_PER_MINUTE = 5;
const TOKENS_PER_MINUTE = 100_000;
/** The new key's own limit, set through GraphQL (the key table only shows it). */
const KEY_TOKENS_PER_MINUTE = 50_000;

const ints = new Intl.NumberFormat('en-US');
const formatInt = (n: number) => ints.format(n);
/** The day as the admin UI shows it to an en-US browser in UTC (lib/format.ts formatDate). */
const formatDay = (iso: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

let lumen: Lumen;
let browser: Browser;
let adminLink: string;
let adminToken: string;
let clientId: string;
let page: Page;
/** The key made in the New API Key dialog. */
let secret: string;
let newKeyId: string;

interface KeyNode {
  id: string;
  name: string;
  expiresAt: string | null;
}

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  // The CLI and the server cannot open the embedded database at the same time: prepare first.
  await lumen.cli('seed', '--demo');
  adminLink = await lumen.loginLink(ADMIN);
  adminToken = (await lumen.cli('token', 'create', '--email', ADMIN, '--name', 'e2e-v1-breadth')).trim().split('\n').at(-1)!.trim();
  await lumen.start();

  const found = await lumen.graphql<{ clients: { edges: { node: { id: string; name: string } }[] } }>(
    adminToken,
    'query E2E_BreadthClient($search: String) { clients(first: 5, search: $search) { edges { node { id name } } } }',
    { search: CLIENT },
  );
  clientId = found.clients.edges.find((edge) => edge.node.name === CLIENT)?.node.id ?? assert.fail(`${CLIENT} is not in the seeded data`);

  // A key that expires within 7 days. The table says the whole days left (rounded down), so
  // an hour more than 3 days keeps it at "3 days" however long the run takes.
  const expiring = await lumen.graphql<{ createApiKey: { apiKey: KeyNode } }>(
    adminToken,
    'mutation E2E_ExpiringKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id name expiresAt } } }',
    { input: { clientId, name: EXPIRING_KEY, expiresAt: new Date(Date.now() + 3 * DAY_MS + 3600_000).toISOString() } },
  );
  assert.ok(expiring.createApiKey.apiKey.expiresAt, 'the seeded key has no expiry');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

/** An OpenAI client for a key; no retries, so a 429 is seen at once (the SDK would wait for the reset). */
const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: `${lumen.url}/v1`, maxRetries: 0 });

const region = (name: string) => page.getByRole('region', { name, exact: true });
const modelRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
const keyRow = (name: string) => region('API Keys').getByRole('row', { name: new RegExp(name) });
const limitCard = (label: string) => region('Rate Limits').getByRole('group', { name: label, exact: true });
/** A limit card's figure (the limit) and its note (what the current minute counted). */
const figure = (card: Locator) => card.getByRole('paragraph').first();
const note = (card: Locator) => card.getByRole('paragraph').nth(1);

/** The client's rate-limit window as the API reports it (for the admin pages, not the hot path). */
async function clientWindow(): Promise<{ requests: number; tokens: number; resetsAt: string }> {
  const data = await lumen.graphql<{ client: { rateLimits: { requests: number; tokens: number; resetsAt: string } } }>(
    adminToken,
    'query E2E_BreadthWindow($id: ID!) { client(id: $id) { rateLimits { requests tokens resetsAt } } }',
    { id: clientId },
  );
  return data.client.rateLimits;
}

describe('issue 14 in the admin UI', () => {
  it('creates an embedding model through the form and shows its kind', { timeout: TEST_TIMEOUT }, async () => {
    page = await newDesktopPage(browser);
    await page.goto(adminLink);
    await page.waitForURL(`${lumen.url}/clients`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await shows(page.getByRole('heading', { level: 1, name: 'Models' }));

    await page.getByRole('button', { name: '+ New Model' }).click();
    const form = page.getByRole('dialog', { name: 'New Model' });
    const kind = form.getByLabel('Kind', { exact: true });
    assert.equal(await kind.inputValue(), 'CHAT', 'a new model is a chat model unless told otherwise');
    await form.getByLabel('Name', { exact: true }).fill(EMBEDDING_MODEL);
    await form.getByLabel('Provider').selectOption('echo');
    await kind.selectOption({ label: 'Embeddings' });
    await form.getByLabel('Upstream model').fill('echo');
    await form.getByLabel('Input price (coins per 1M tokens)').fill('2');
    await form.getByLabel('Output price (coins per 1M tokens)').fill('0');
    await assertAccessible(page, 'the New Model form for an embedding model');
    await form.getByRole('button', { name: 'Create model' }).click();
    await disappears(form);
    await shows(page.getByText(`${EMBEDDING_MODEL} was created. Clients can call it as "${EMBEDDING_MODEL}".`));

    // The table says the kind beside the provider; chat models say nothing more.
    await shows(modelRow(EMBEDDING_MODEL).getByRole('rowheader').getByText('echo · embeddings', { exact: true }));
    await shows(modelRow(CHAT_MODEL).getByRole('rowheader'));
    await absent(modelRow(CHAT_MODEL).getByText(/embeddings/), 'the embeddings kind on a chat model');
    await assertAccessible(page, 'the Models page with an embedding model');

    // The model page names it with its endpoint; the Edit form keeps the kind.
    await page.getByRole('link', { name: EMBEDDING_MODEL }).click();
    await shows(page.getByRole('heading', { level: 1, name: EMBEDDING_MODEL }));
    const settings = region('Settings');
    await shows(settings.getByRole('definition').filter({ hasText: 'Embeddings (POST /v1/embeddings)' }));
    await assertAccessible(page, 'the page of an embedding model');
    await page.goto(`${lumen.url}/models`);
    await modelRow(EMBEDDING_MODEL)
      .getByRole('button', { name: `Edit ${EMBEDDING_MODEL}` })
      .click();
    const edit = page.getByRole('dialog', { name: `Edit ${EMBEDDING_MODEL}` });
    assert.equal(await edit.getByLabel('Kind', { exact: true }).inputValue(), 'EMBEDDING');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await disappears(edit);
  });

  it('highlights a key expiring within 7 days, in words', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: CLIENT }).click();
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    await shows(region('API Keys').getByRole('columnheader', { name: /Expires/ }));

    const row = keyRow(EXPIRING_KEY);
    await shows(row.getByText('Expires in 3 days', { exact: true }));
    assert.match((await row.getAttribute('class')) ?? '', /\brow-expiring\b/, 'the row is not highlighted');
    // The seeded demo keys never expire: no warning, no highlight.
    const production = keyRow('production');
    await shows(production.getByRole('cell', { name: 'Never', exact: true }));
    await absent(production.getByText(/Expires in/), 'an expiry warning on a key that never expires');
    assert.doesNotMatch((await production.getAttribute('class')) ?? '', /row-expiring/);
    await assertAccessible(page, 'the client page with a key expiring soon');
  });

  it('creates a key with a 30-day expiry in the New API Key dialog and shows its date', { timeout: TEST_TIMEOUT }, async () => {
    await region('API Keys').getByRole('button', { name: '+ New API Key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API Key' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill(NEW_KEY);
    const expires = dialog.getByRole('combobox', { name: 'Expires' });
    // Without LUMEN_API_KEY_MAX_DAYS a key never expires unless told to.
    assert.equal(await expires.inputValue(), 'never');
    await shows(dialog.getByText('The key works until it is revoked.'));
    await expires.selectOption({ label: '30 days' });
    await shows(dialog.getByText(/^The key stops working on .+; the table highlights it 7 days before\.$/));
    await assertAccessible(page, 'the New API Key dialog with a 30-day expiry');

    const chosen = Date.now();
    await dialog.getByRole('button', { name: 'Save Key' }).click();
    const shown = page.getByRole('dialog', { name: 'Copy your new API key' });
    secret = await (await shows(shown.getByRole('textbox', { name: `API key “${NEW_KEY}”` }))).inputValue();
    const saved = Date.now();
    assert.match(secret, /^sk_/);
    await assertAccessible(page, "the new key's secret");
    await shown.getByRole('button', { name: 'Done' }).click();
    await disappears(shown);

    // The Expires column shows the day, 30 days from when it was made, and no warning yet.
    const row = keyRow(NEW_KEY);
    const time = await shows(row.locator('td[data-label="Expires"] time'));
    const expiresAt = (await time.getAttribute('datetime')) ?? assert.fail('no datetime on the expiry');
    const at = Date.parse(expiresAt);
    assert.ok(at >= chosen + 30 * DAY_MS - 1000 && at <= saved + 30 * DAY_MS + 1000, `expires at ${expiresAt}, not in 30 days`);
    await hasText(time, formatDay(expiresAt));
    await absent(row.getByText(/Expires in|Expired/), 'an expiry warning on a key with 30 days left');
    assert.doesNotMatch((await row.getAttribute('class')) ?? '', /row-expiring/);

    // Stored, not just shown: the API has the same moment, and a reload shows it again.
    const keys = await lumen.graphql<{ client: { apiKeys: { edges: { node: KeyNode }[] } } }>(
      adminToken,
      'query E2E_BreadthKeys($id: ID!) { client(id: $id) { apiKeys(first: 50) { edges { node { id name expiresAt } } } } }',
      { id: clientId },
    );
    const stored = keys.client.apiKeys.edges.find((edge) => edge.node.name === NEW_KEY)?.node ?? assert.fail(`${NEW_KEY} is not stored`);
    assert.equal(Date.parse(stored.expiresAt!), at);
    newKeyId = stored.id;
    await page.reload();
    await hasText(keyRow(NEW_KEY).locator('td[data-label="Expires"] time'), formatDay(expiresAt));
    await assertAccessible(page, 'the client page with the new key');
  });

  it('calls the embedding model with the new key, and refuses it on chat with the right endpoint', { timeout: TEST_TIMEOUT }, async () => {
    const ai = openai(secret);
    const result = await ai.embeddings.create({
      model: EMBEDDING_MODEL,
      input: ['Hello big world', 'other text'],
      encoding_format: 'float',
    });
    assert.equal(result.data.length, 2);
    for (const { embedding } of result.data) {
      const norm = Math.sqrt(embedding.reduce((sum, x) => sum + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5, `the echo vector has length ${norm}`);
    }
    assert.ok(result.usage.prompt_tokens > 0);
    await assert.rejects(
      ai.chat.completions.create({ model: EMBEDDING_MODEL, messages: [{ role: 'user', content: 'hello' }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.match(error.message, /\/v1\/embeddings/);
        return true;
      },
    );
  });

  it('sets the client’s rate limits in the Edit Rate Limits dialog', { timeout: TEST_TIMEOUT }, async () => {
    const requestsCard = limitCard('Requests per Minute');
    const tokensCard = limitCard('Tokens per Minute');
    await hasText(figure(requestsCard), 'No limit');
    await hasText(figure(tokensCard), 'No limit');

    await region('Rate Limits').getByRole('button', { name: 'Edit Rate Limits' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rate limits' });
    const requests = dialog.getByRole('textbox', { name: 'Requests per minute' });
    const tokens = dialog.getByRole('textbox', { name: 'Tokens per minute' });
    assert.equal(await requests.inputValue(), '');
    assert.equal(await tokens.inputValue(), '');
    await assertAccessible(page, 'the Rate limits dialog');

    // A problem is said beside its field, and what was typed stays.
    await requests.fill('five');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await shows(dialog.getByText('Enter a whole number above 0, or leave it empty for no limit.'));
    assert.equal(await requests.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'the Rate limits dialog with an error');

    await requests.fill(String(REQUESTS_PER_MINUTE));
    await tokens.fill(formatInt(TOKENS_PER_MINUTE)); // "100,000": the separators are allowed
    await dialog.getByRole('button', { name: 'Save' }).click();
    await disappears(dialog);
    await hasText(figure(requestsCard), formatInt(REQUESTS_PER_MINUTE));
    await hasText(figure(tokensCard), formatInt(TOKENS_PER_MINUTE));
    await hasText(note(requestsCard), '0 counted this minute, for all keys together');
    await hasText(note(tokensCard), '0 counted this minute, for all keys together');

    // A key's own limit (within its client's) shows under its name.
    await lumen.graphql(
      adminToken,
      'mutation E2E_KeyLimits($input: SetApiKeyRateLimitsInput!) { setApiKeyRateLimits(input: $input) { apiKey { id } } }',
      { input: { apiKeyId: newKeyId, tokensPerMinute: KEY_TOKENS_PER_MINUTE } },
    );
    await page.reload();
    await shows(keyRow(NEW_KEY).getByText(`Limit: ${formatInt(KEY_TOKENS_PER_MINUTE)} tokens/min`, { exact: true }));
    await absent(keyRow('production').getByText(/^Limit:/), 'a limit on a key that has none of its own');
    await hasText(figure(requestsCard), formatInt(REQUESTS_PER_MINUTE));
    await assertAccessible(page, 'the client page with rate limits');
  });

  it('counts /v1 requests of the client’s key against the limits and refuses the one over', { timeout: TEST_TIMEOUT }, async () => {
    // The window is a clock minute: start with at least 30 s of it left, so that the requests
    // and the reload that shows them fall in the same one.
    const left = Date.parse((await clientWindow()).resetsAt) - Date.now();
    if (left < 30_000) await sleep(left + 500);

    const ai = openai(secret);
    const chat = (text: string) =>
      ai.chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: text }] }).withResponse();
    let tokens = 0;
    for (const [i, text] of ['first question', 'a second, longer question about limits', 'third'].entries()) {
      const { data, response } = await chat(text);
      tokens += data.usage!.total_tokens;
      // OpenAI's headers, for the tighter level: the client's for requests (the key has none of its own).
      assert.equal(response.headers.get('x-ratelimit-limit-requests'), String(REQUESTS_PER_MINUTE));
      assert.equal(response.headers.get('x-ratelimit-remaining-requests'), String(REQUESTS_PER_MINUTE - 1 - i));
    }

    await page.reload();
    const requestsCard = limitCard('Requests per Minute');
    const tokensCard = limitCard('Tokens per Minute');
    await hasText(note(requestsCard), '3 counted this minute, for all keys together');
    await hasText(note(tokensCard), `${formatInt(tokens)} counted this minute, for all keys together`);
    const window = await clientWindow();
    assert.deepEqual([window.requests, window.tokens], [3, tokens], 'the page and the API disagree');

    // Up to the limit, then 429 rate_limit_exceeded with OpenAI's retry headers.
    for (const text of ['fourth', 'fifth']) tokens += (await chat(text)).data.usage!.total_tokens;
    await assert.rejects(chat('one too many'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError, String(error));
      assert.equal(error.status, 429);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.ok(error.headers?.get('retry-after'), 'no retry-after on the 429');
      assert.equal(error.headers?.get('x-ratelimit-remaining-requests'), '0');
      return true;
    });

    // The refused request is not counted.
    await page.reload();
    await hasText(note(requestsCard), `${REQUESTS_PER_MINUTE} counted this minute, for all keys together`);
    await hasText(note(tokensCard), `${formatInt(tokens)} counted this minute, for all keys together`);
    await assertAccessible(page, 'the client page at its request limit');
  });
});
