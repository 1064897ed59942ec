// Demo data for a first look: a few users, clients, models, keys and real metered usage.
// The usage comes from real requests through Lumen's own /v1 path (key check, reservation,
// the echo provider, settlement), so records, key counters, per-model figures and pools agree
// exactly as they would after real traffic.
import { db } from '../db/current.ts';
import { createApiKey } from '../domain/apiKeys.ts';
import { addClientManager, createClient } from '../domain/clients.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { createModel } from '../domain/models.ts';
import { grantModelConsent, setClientModelAccess } from '../domain/modelAccess.ts';
import { createUser } from '../domain/users.ts';
import type { Viewer } from '../domain/viewer.ts';
import { handleV1 } from '../v1/fetchRoute.ts';

async function userNamed(email: string, name: string, isAdmin: boolean): Promise<Viewer> {
  const existing = await db().user.findUnique({ where: { email } });
  const user = existing ?? (await createUser(null, { email, name, isAdmin }));
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}

/** Who asks what of which model, in order: a little of everything on the clients' pages. */
const DEMO_TRAFFIC: { key: 'production' | 'staging' | 'ci'; model: 'echo-small' | 'echo-large' | 'echo-restricted'; prompt: string }[] = [
  { key: 'production', model: 'echo-small', prompt: 'Summarise the abstract of our latest paper in two sentences.' },
  { key: 'production', model: 'echo-small', prompt: 'Which of these three methods scales best with the number of samples?' },
  { key: 'production', model: 'echo-large', prompt: 'Draft a friendly reply to a student asking for an extension.' },
  { key: 'production', model: 'echo-large', prompt: 'Explain the difference between precision and recall to a first-year student.' },
  { key: 'production', model: 'echo-restricted', prompt: 'Translate the consent form into plain language.' },
  { key: 'staging', model: 'echo-small', prompt: 'Hello, is the staging deployment up?' },
  { key: 'ci', model: 'echo-small', prompt: 'Run the regression prompts: what is two plus two?' },
  { key: 'ci', model: 'echo-small', prompt: 'Run the regression prompts: name the capital of France.' },
  { key: 'ci', model: 'echo-small', prompt: 'Run the regression prompts: spell "gateway" backwards.' },
];

/** One chat completion through /v1 with this key, handled in this process as the server would. */
async function demoRequest(secret: string, model: string, prompt: string): Promise<void> {
  // The host is never contacted: the request goes straight to the /v1 handler.
  const url = new URL('/v1/chat/completions', 'http://lumen.invalid');
  const response = await handleV1(
    new Request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }] }),
    }),
    url,
  );
  const body = await response.text();
  if (response.status !== 200) throw new Error(`A demo request to ${model} failed with ${response.status}: ${body}`);
}

export async function seedDemo(): Promise<string> {
  if (await db().client.findFirst({ where: { name: 'Research Chatbot' } })) return 'Demo data is already there.';
  const admin = await userNamed('demo-admin@example.org', 'Dana Admin', true);
  const ada = await userNamed('ada@example.org', 'Ada Lovelace', false);
  const grace = await userNamed('grace@example.org', 'Grace Hopper', false);
  await userNamed('alan@example.org', 'Alan Turing', false);

  await createModel(admin, {
    name: 'echo-small',
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '0.5',
    outputCoinsPerMillion: '1.5',
  });
  const big = await createModel(admin, {
    name: 'echo-large',
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '2.5',
    outputCoinsPerMillion: '10',
    needsConsent: true,
    consentNotice: 'Prompts sent to this model are kept for 30 days by its provider. Do not send personal data.',
  });
  const restricted = await createModel(admin, {
    name: 'echo-restricted',
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '5',
    outputCoinsPerMillion: '15',
    defaultAccess: 'BLOCKED',
  });

  const chatbot = await createClient(admin, { name: 'Research Chatbot' });
  await addClientManager(admin, chatbot.id, ada.id);
  await addClientManager(admin, chatbot.id, grace.id);
  await setCoinPool(
    admin,
    { clientId: chatbot.id },
    { state: 'LIMITED', capacity: '1000', balance: '750', refillAmount: '50', refillIntervalSeconds: 3600 },
  );
  await grantModelConsent(admin, { clientId: chatbot.id }, big.id);
  await setClientModelAccess(admin, chatbot.id, restricted.id, 'ALLOWED');
  const production = await createApiKey(admin, { clientId: chatbot.id }, { name: 'production' });
  const staging = await createApiKey(admin, { clientId: chatbot.id }, { name: 'staging' });

  const ci = await createClient(admin, { name: 'CI Runner' });
  await addClientManager(admin, ci.id, grace.id);
  await setCoinPool(admin, { clientId: ci.id }, { state: 'UNLIMITED' });
  const ciRunner = await createApiKey(admin, { clientId: ci.id }, { name: 'ci-runner' });

  await createClient(admin, { name: 'Notebook Service' });

  const secrets = { production: production.secret, staging: staging.secret, ci: ciRunner.secret };
  for (const { key, model, prompt } of DEMO_TRAFFIC) await demoRequest(secrets[key], model, prompt);
  return [
    `Demo data added: 4 users, 3 models, 3 clients, and ${DEMO_TRAFFIC.length} metered requests.`,
    `A key of "Research Chatbot" (shown once): ${production.secret}`,
    'Sign in as any of them with: npm run lumen -- login-link --email ada@example.org',
  ].join('\n');
}
