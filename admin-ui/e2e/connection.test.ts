// A lost connection (issue 12), in the built admin UI in Debian's headless Chromium against the
// real server: the live socket dropping and requests failing are cut off in the browser
// (Playwright's routing), the server itself keeps running. The page says so with Retry, marks
// its figures as the last known ones, and once the network is back Retry brings the live
// figures back: a /v1 request moves the cards again without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { absent, disappears, launchChromium, shows, WAIT_MS } from './support/browser.ts';
import { buildUi, Lumen } from './support/lumen.ts';

const TEST_TIMEOUT = 120_000;
const ADMIN = { email: 'demo-admin@example.org' }; // from `lumen seed --demo`
const CLIENT = 'Research Chatbot';

let lumen: Lumen;
let browser: Browser;
let page: Page;
let adminLink: string;
let seededKey: string;

/** While true, the browser cannot reach Lumen: new sockets are closed at once, requests fail. */
let offline = false;
/** The live sockets passed through to the server, to be cut when the network "goes away". */
const sockets: WebSocketRoute[] = [];

before(async () => {
  await buildUi();
  lumen = await Lumen.create();
  const seeded = await lumen.cli('seed', '--demo');
  seededKey = /shown once\): (sk_\S+)/.exec(seeded)?.[1] ?? assert.fail(`no key in the seed output:\n${seeded}`);
  adminLink = await lumen.loginLink(ADMIN.email);
  await lumen.start();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (offline) return ws.close({ code: 1001, reason: 'network down' });
    ws.connectToServer();
    sockets.push(ws);
  });
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
});

const graphqlUrl = () => `${lumen.url}/graphql`;
const cards = () => page.getByRole('region', { name: 'Usage', exact: true });
const tokensValue = () => cards().getByRole('group', { name: 'Total Tokens Used' }).getByRole('paragraph').first();

async function goOffline(): Promise<void> {
  offline = true;
  await page.route(graphqlUrl(), (route) => route.abort('internetdisconnected'));
  for (const ws of sockets.splice(0)) await ws.close({ code: 1001, reason: 'network down' });
}

async function goOnline(): Promise<void> {
  offline = false;
  await page.unroute(graphqlUrl());
}

describe('a lost connection', () => {
  it(
    'says when live updates stop and when Lumen cannot be reached, keeping the last figures marked as such',
    { timeout: TEST_TIMEOUT },
    async () => {
      await page.goto(adminLink);
      await page.waitForURL(`${lumen.url}/clients`);
      await page.getByRole('link', { name: CLIENT }).click();
      await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
      await shows(page.getByRole('region', { name: 'API Keys', exact: true }).getByRole('row', { name: /production/ }));
      await page.waitForFunction(() => document.querySelector('.card-value')?.textContent !== '');
      const figures = (await tokensValue().textContent())!.trim();
      await absent(page.getByRole('alert').filter({ hasText: /Live updates stopped|Lumen cannot be reached/ }), 'a connection banner');
      await assertAccessible(page, 'the client page, connected');

      await goOffline();
      const banner = page.getByRole('alert').filter({ hasText: 'Live updates stopped: the connection to Lumen dropped.' });
      await shows(banner);
      await shows(cards().getByText(/^Not live: last known figures, from \d/));
      assert.equal((await tokensValue().textContent())!.trim(), figures, 'the last known figures stay on the page');
      await assertAccessible(page, 'the client page with live updates stopped');

      // Retry while the network is still down: the requests fail too.
      await banner.getByRole('button', { name: 'Retry' }).click();
      const unreachable = page.getByRole('alert').filter({ hasText: 'Lumen cannot be reached.' });
      await shows(unreachable);
      await shows(unreachable.getByText(/The figures shown are from \d/));
      assert.equal((await tokensValue().textContent())!.trim(), figures, 'the figures stay when a request fails');
      await assertAccessible(page, 'the client page with Lumen unreachable');
    },
  );

  it('comes back with Retry, and the cards move live again', { timeout: TEST_TIMEOUT }, async () => {
    await goOnline();
    await page.getByRole('alert').getByRole('button', { name: 'Retry' }).click();
    await disappears(page.getByRole('alert').filter({ hasText: /Lumen cannot be reached|Live updates stopped/ }));
    await disappears(cards().getByText(/^Not live/));
    const before = (await tokensValue().textContent())!.trim();
    await page.evaluate(() => Object.assign(window, { e2eNoReload: true }));

    const { status, body } = await lumen.chat(seededKey, 'echo-small', 'the connection is back and the figures move again');
    assert.equal(status, 200, JSON.stringify(body.error));
    await page.waitForFunction(
      ([selector, old]) => {
        const value = document.querySelector(selector)?.textContent?.trim();
        return value !== undefined && value !== old;
      },
      ['.card-value', before] as const,
      { timeout: WAIT_MS },
    );
    assert.equal(await page.evaluate(() => (window as { e2eNoReload?: boolean }).e2eNoReload), true, 'the page was reloaded');
    await assertAccessible(page, 'the client page, connected again');
  });
});
