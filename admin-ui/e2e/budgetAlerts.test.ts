// Budget alerts end to end: an admin sets a webhook and thresholds on the client page of the
// demo client (its pool is at 75% of capacity), copies the signing secret from the dialog that
// shows it once, and a local receiver (the only mock: it stands for the center's own service)
// gets one alert for the threshold already crossed, signed with that secret; the section then
// lists the delivery. axe checks the section, the form and the secret dialog.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from './support/accessibility.ts';
import { hasText, launchChromium, newDesktopPage, shows } from './support/browser.ts';
import { buildUi, Lumen } from './support/lumen.ts';

const TEST_TIMEOUT = 90_000;
const ADMIN = 'demo-admin@example.org'; // from `lumen seed --demo`
const CLIENT = 'Research Chatbot'; // LIMITED: 750 of 1000 coins

interface Received {
  body: string;
  signature: string;
}

let lumen: Lumen;
let browser: Browser;
let page: Page;
let receiver: Server;
let hookUrl: string;
const received: Received[] = [];
let notify: (() => void) | null = null;

before(async () => {
  await buildUi();
  receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ body, signature: String(request.headers['lumen-signature'] ?? '') });
      response.writeHead(204).end();
      notify?.();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lumen-alerts`;
  // The receiver is on this machine: loopback and http are allowed for this instance only.
  lumen = await Lumen.create({ LUMEN_ALLOW_HTTP_WEBHOOKS: 'true' });
  await lumen.cli('seed', '--demo');
  const adminLink = await lumen.loginLink(ADMIN);
  await lumen.start();
  browser = await launchChromium();
  page = await newDesktopPage(browser);
  await page.goto(adminLink);
  await page.waitForURL(`${lumen.url}/clients`);
});

after(async () => {
  await browser?.close();
  await lumen?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** The next alert the receiver gets (or one already there). */
function nextAlert(timeoutMs = 30_000): Promise<Received> {
  if (received.length > 0) return Promise.resolve(received[0]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no alert within ${timeoutMs / 1000} s:\n${lumen.log.slice(-2000)}`)), timeoutMs);
    notify = () => {
      clearTimeout(timer);
      resolve(received[0]);
    };
  });
}

describe('budget alerts', () => {
  it('set up on the client page: the secret is shown once, and the alert arrives signed with it', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('link', { name: CLIENT }).click();
    await shows(page.getByRole('heading', { level: 1, name: CLIENT }));
    const section = page.getByRole('region', { name: 'Budget Alerts' });
    await section.getByRole('button', { name: 'Set Up Budget Alerts' }).click();
    const form = page.getByRole('dialog', { name: 'Budget alerts' });
    await shows(form);
    await assertAccessible(page, 'the budget alerts form');
    await form.getByLabel('Webhook URL').fill(hookUrl);
    await form.getByLabel('Thresholds (% of capacity)').fill('80, 10');
    await form.getByRole('button', { name: /^Save/ }).click();

    const dialog = page.getByRole('dialog', { name: 'Copy the signing secret' });
    await shows(dialog);
    await assertAccessible(page, 'the signing secret dialog');
    const secret = await dialog.getByLabel('Signing secret').inputValue();
    assert.match(secret, /^whsec_/);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // 750 of 1000 is below 80%: that threshold fired when it was saved; 10% did not.
    const alert = await nextAlert();
    const { t, v1 } = Object.fromEntries(alert.signature.split(',').map((part) => part.split('='))) as { t: string; v1: string };
    const expected = createHmac('sha256', secret).update(`${t}.${alert.body}`).digest();
    assert.ok(timingSafeEqual(expected, Buffer.from(v1, 'hex')), 'Lumen-Signature is the HMAC of "<t>.<body>" with the shown secret');
    const body = JSON.parse(alert.body) as Record<string, unknown>;
    assert.equal(body.type, 'budget.threshold');
    assert.equal(body.clientName, CLIENT);
    assert.equal(body.thresholdPercent, 80);
    assert.equal(body.capacity, '1000');
    assert.equal(received.length, 1, 'one alert per crossing');

    // The section lists the delivery (read again after the page is loaded anew).
    await page.reload();
    const delivered = page.getByRole('region', { name: 'Budget Alerts' });
    const row = delivered.getByRole('row').filter({ hasText: '80%' });
    await hasText(row.getByText('Delivered'), 'Delivered');
    await shows(row.getByText('HTTP 204'));
    await hasText(delivered.getByText(hookUrl), hookUrl);
    await assertAccessible(page, 'the client page with budget alerts and a delivery');
    // The secret is never shown again: only its hint.
    assert.equal(await page.getByText(secret).count(), 0);
  });
});
