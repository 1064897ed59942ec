// /v1 bodies are limited to 16 MB, and a body without Content-Length (chunked) is
// given up as soon as it passes the limit, not read whole first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { startLumen, type TestLumen } from './support/lumen.ts';
import { model, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;

before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

const MB = 1024 * 1024;

test('a chunked body larger than 16 MB is refused with 413 before it is read to the end', async () => {
  const admin = await lumen.user({ admin: true });
  const m = await model(admin);
  const { key } = await unlimitedClient(lumen, admin);
  const chunks = 64; // 64 MB offered, 1 MB at a time
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (pulled === 1) controller.enqueue(new TextEncoder().encode(`{"model":"${m.name}","messages":[{"role":"user","content":"`));
      else if (pulled <= chunks) controller.enqueue(new Uint8Array(MB).fill(0x61));
      else controller.close();
    },
  });
  const response = await lumen.fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
  assert.equal(response.status, 413);
  const error = ((await response.json()) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'request_too_large');
  assert.match(error.message, /larger than 16 MB/);
  // 16 MB is 17 chunks and a few in the stream's queues; reading it all would take 65 pulls.
  assert.ok(pulled < 24, `the body was read on after the limit: ${pulled} of ${chunks + 1} chunks pulled`);
});

test('a body just under the limit is still read', async () => {
  const admin = await lumen.user({ admin: true });
  const m = await model(admin);
  const { key } = await unlimitedClient(lumen, admin);
  const text = JSON.stringify({ model: m.name, messages: [{ role: 'user', content: 'Hello' }], pad: 'x'.repeat(15 * MB) });
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  const response = await lumen.fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(((await response.json()) as OpenAI.ChatCompletion).choices[0].message.content, 'Hello');
});
