// Usage charts end to end: the built admin UI in Debian's headless Chromium against the real
// API on a fresh embedded database, seeded with the `lumen` CLI; usage comes from real
// /v1/chat/completions requests. The client page's chart draws, reads as its summary and as a
// table whose figures are GraphQL's, and moves live; the admin Usage page shows the instance.
import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { hasText, launchChromium, newDesktopPage, shows } from './support/browser.ts';
import { buildUi, Lumen, ROOT } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const ADMIN = 'demo-admin@example.org'; // from `lumen seed --demo`
const CLIENT = 'Research Chatbot';

const ints = new Intl.NumberFormat('en-US');
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

/** docs/screenshots/<name>.png: the whole page, or one part of it. */
async function screenshot(name: string, target: Page | ReturnType<Page['getByRole']>): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await target.screenshot({ path: file, animations: 'disabled', ...('goto' in target ? { fullPage: true } : {}) });
  assert.ok((await stat(file)).size > 10_000, `${file} looks empty`);
}

/** Coins as the UI shows them: grouped digits, every significant decimal, at least two. */
function formatCoins(value: string): string {
  const [int, frac = ''] = value.split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.replace(/0+$/, '').padEnd(2, '0')}`;
}

/** The exact sum of decimal strings (as the UI adds them). */
function sumCoins(values: string[]): string {
  const scale = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  const total = values.reduce((sum, v) => {
    const [int, frac = ''] = v.split('.');
    return sum + BigInt(int + frac.padEnd(scale, '0'));
  }, 0n);
  const digits = total.toString().padStart(scale + 1, '0');
  return scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
}

let lumen: Lumen;
let browser: Browser;
let page: Page;
let adminToken: string;
let seededKey: string;
let clientId: string;

type Point = { start: string; model: { name: string } | null; other: boolean; requests: number; totalTokens: number; coinsSpent: string };

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  const seeded = await lumen.cli('seed', '--demo');
  seededKey = /shown once\): (sk_\S+)/.exec(seeded)?.[1] ?? assert.fail(`no key in the seed output:\n${seeded}`);
  const tokenOutput = await lumen.cli('token', 'create', '--email', ADMIN, '--name', 'e2e-usage-charts');
  adminToken = tokenOutput.trim().split('\n').at(-1)!.trim();
  const adminLink = await lumen.loginLink(ADMIN);
  await lumen.start();
  // Traffic on two models with the seeded key of Research Chatbot.
  for (const [model, text] of [
    ['echo-small', 'count the words of this sentence please'],
    ['echo-large', 'a longer prompt about protein folding and grant reports for the group'],
    ['echo-small', 'and one more'],
  ]) {
    const { status, body } = await lumen.chat(seededKey, model, text);
    assert.equal(status, 200, `traffic on ${model}: ${JSON.stringify(body.error)}`);
  }
  const found = await lumen.graphql<{ clients: { edges: { node: { id: string; name: string } }[] } }>(
    adminToken,
    'query E2E_UsageClient($search: String) { clients(first: 5, search: $search) { edges { node { id name } } } }',
    { search: CLIENT },
  );
  clientId = found.clients.edges.find((e) => e.node.name === CLIENT)?.node.id ?? assert.fail(`${CLIENT} is not seeded`);
  browser = await launchChromium();
  page = await newDesktopPage(browser);
  await page.goto(adminLink);
  await page.waitForURL(`${lumen.url}/clients`);
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

/** The series GraphQL answers for exactly what the chart shows (read from its Export CSV link). */
async function seriesOfLink(href: string): Promise<Point[]> {
  const q = new URL(href, lumen.url).searchParams;
  const data = await lumen.graphql<{ node: { usageSeries: Point[] } }>(
    adminToken,
    `query E2E_UsageSeries($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!, $groupBy: UsageGroup, $timeZone: String) {
      node(id: $id) { ... on Client { usageSeries(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, timeZone: $timeZone) {
        start other requests totalTokens coinsSpent model { name } } } }
    }`,
    {
      id: q.get('owner'),
      from: q.get('from'),
      to: q.get('to'),
      bucket: q.get('bucket'),
      groupBy: q.get('groupBy'),
      timeZone: q.get('timeZone'),
    },
  );
  return data.node.usageSeries;
}

describe('usage charts', () => {
  let chartSection: ReturnType<Page['getByRole']>;
  let points: Point[];

  it("draws the client's usage over time, summed as GraphQL sums it", { timeout: TEST_TIMEOUT }, async () => {
    await page.goto(`${lumen.url}/clients/${encodeURIComponent(clientId).replace(/%3D/g, '=')}`);
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    chartSection = page.getByRole('region', { name: 'Usage over time' });
    const link = chartSection.getByRole('link', { name: 'Export CSV' });
    const href = (await link.getAttribute('href'))!;
    const q = new URL(href, lumen.url).searchParams;
    assert.equal(new URL(href, lumen.url).pathname, '/export/usage.csv');
    assert.equal(q.get('owner'), clientId);
    assert.equal(q.get('bucket'), 'DAY');
    assert.equal(q.get('groupBy'), 'MODEL');
    assert.equal(q.get('timeZone'), 'UTC'); // the browser's zone (the context's)
    assert.equal(await link.getAttribute('download'), '');

    points = await seriesOfLink(href);
    assert.equal(new Set(points.map((p) => p.start)).size, 7, 'seven daily buckets');
    const requests = points.reduce((n, p) => n + p.requests, 0);
    assert.ok(requests >= 3, `the series counts the traffic (${requests})`);
    const chart = chartSection.getByRole('img', { name: new RegExp(`^Requests per day for ${CLIENT} over the last 7 days`) });
    await shows(chart);
    assert.match((await chart.getAttribute('aria-label'))!, new RegExp(`: ${ints.format(requests)} requests in total\\.`));
    // uPlot drew on a canvas, and the legend names the models.
    await shows(chart.locator('canvas').first());
    const legend = chartSection.getByRole('list', { name: 'Legend' });
    await shows(legend.getByText('echo-small'));
    await shows(legend.getByText('echo-large'));
    // A legend entry hides its model from the plot, and shows it again.
    const small = legend.getByRole('button', { name: /^echo-small/ });
    await small.click();
    assert.equal(await small.getAttribute('aria-pressed'), 'false');
    await assertAccessible(page, 'the usage chart with a model hidden');
    await small.click();
    assert.equal(await small.getAttribute('aria-pressed'), 'true');
    // The tooltip shows the bucket under the pointer with its exact figures.
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
    await shows(chartSection.locator('.usage-tooltip').getByText('Total'));
    await screenshot('usage-chart', chartSection);
    await assertAccessible(page, 'the client page with its usage chart');
  });

  it("shows the same figures as a table: each model's coins and the total exactly", { timeout: TEST_TIMEOUT }, async () => {
    await chartSection.getByRole('combobox', { name: 'Show' }).selectOption('COINS');
    await chartSection.getByRole('button', { name: 'View as table' }).click();
    const table = chartSection.getByRole('table');
    await shows(table);
    const footer = table.locator('tfoot tr');
    const headers = (await table.locator('thead th').allTextContents()).map((t) => t.trim());
    assert.equal(headers[0], 'Day');
    assert.equal(headers.at(-1), 'Total coins');
    const cells = (await footer.locator('td').allTextContents()).map((t) => t.trim());
    for (const [i, name] of headers.slice(1, -1).entries()) {
      const coins = sumCoins(points.filter((p) => p.model?.name === name).map((p) => p.coinsSpent));
      assert.equal(cells[i], formatCoins(coins), `${name}'s coins`);
    }
    assert.equal(cells.at(-1), formatCoins(sumCoins(points.map((p) => p.coinsSpent))));
    assert.equal(await table.locator('tbody tr').count(), 7);
    await assertAccessible(page, 'the usage chart as a table');
    await chartSection.getByRole('button', { name: 'View as chart' }).click();
    await chartSection.getByRole('combobox', { name: 'Show' }).selectOption('REQUESTS');
  });

  it('downloads what the chart shows as CSV, with the same totals', { timeout: TEST_TIMEOUT }, async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), chartSection.getByRole('link', { name: 'Export CSV' }).click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const file = await download.path();
    // Names here have no commas or quotes, so a split is enough to read the cells.
    const [header, ...rows] = (await readFile(file, 'utf8'))
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(','));
    const column = (name: string) => header.indexOf(name);
    assert.ok(column('requests') >= 0 && column('coins_spent') >= 0, `CSV header: ${header.join(',')}`);
    assert.equal(rows.length, points.length, 'a row per point, as GraphQL answers');
    assert.equal(
      rows.reduce((n, r) => n + Number(r[column('requests')]), 0),
      points.reduce((n, p) => n + p.requests, 0),
    );
    assert.equal(formatCoins(sumCoins(rows.map((r) => r[column('coins_spent')]))), formatCoins(sumCoins(points.map((p) => p.coinsSpent))));
  });

  it('moves live when a request is metered', { timeout: TEST_TIMEOUT }, async () => {
    const before = points.reduce((n, p) => n + p.requests, 0);
    const { status } = await lumen.chat(seededKey, 'echo-small', 'one more request while the page is open');
    assert.equal(status, 200);
    const chart = chartSection.getByRole('img', { name: new RegExp(`: ${ints.format(before + 1)} requests in total\\.`) });
    await shows(chart);
  });

  it('gives admins a Usage page: the instance over time, with its top clients and models', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL(`${lumen.url}/usage`);
    await shows(page.getByRole('heading', { level: 1, name: 'Usage' }));
    const data = await lumen.graphql<{ instanceUsage: { points: { requests: number; coinsSpent: string }[] } }>(
      adminToken,
      'query E2E_Instance($from: DateTime!, $to: DateTime!) { instanceUsage(from: $from, to: $to, bucket: DAY) { points { requests coinsSpent } } }',
      { from: new Date(Date.now() - 8 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() },
    );
    const requests = data.instanceUsage.points.reduce((n, p) => n + p.requests, 0);
    const totals = page.getByRole('region', { name: 'Totals for the last 7 days' });
    await hasText(totals.getByRole('group', { name: 'Requests' }).locator('.card-value'), ints.format(requests));
    await hasText(
      totals.getByRole('group', { name: 'Coins Spent' }).locator('.card-value'),
      formatCoins(sumCoins(data.instanceUsage.points.map((p) => p.coinsSpent))),
    );
    await shows(
      page
        .getByRole('img', { name: /^Requests per day for this instance over the last 7 days/ })
        .locator('canvas')
        .first(),
    );
    const clients = page.getByRole('table', { name: /^Top clients/ });
    await shows(clients.getByRole('link', { name: CLIENT }));
    const models = page.getByRole('table', { name: /^Top models/ });
    await shows(models.getByRole('link', { name: 'echo-small' }));
    // The hour × weekday heatmap counts the same requests, each in its hour of the browser's zone.
    const heatmap = page.getByRole('table', { name: /^Requests by day of week/ });
    await shows(heatmap);
    const counts = await heatmap.locator('tbody').getByRole('cell').allTextContents();
    assert.equal(counts.length, 7 * 24);
    assert.equal(
      counts.reduce((n, text) => n + Number(text.replace(/,/g, '')), 0),
      requests,
    );
    await assertAccessible(page, 'the Usage page');
    await screenshot('usage-page', page);
    await page.getByRole('combobox', { name: 'Range' }).selectOption('24h');
    await shows(page.getByRole('img', { name: /^Requests per hour for this instance over the last 24 hours/ }));
    await assertAccessible(page, 'the Usage page, hourly');
  });
});
