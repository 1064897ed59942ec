// Demo data for a first look: a few users, clients, models, keys and real metered usage.
import { db } from '../db/current.ts';
import { createApiKey } from '../domain/apiKeys.ts';
import { addClientManager, createClient } from '../domain/clients.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { createModel } from '../domain/models.ts';
import { grantModelConsent, setClientModelAccess } from '../domain/modelAccess.ts';
import { createUser } from '../domain/users.ts';
import type { Viewer } from '../domain/viewer.ts';

async function userNamed(email: string, name: string, isAdmin: boolean): Promise<Viewer> {
  const existing = await db().user.findUnique({ where: { email } });
  const user = existing ?? (await createUser(null, { email, name, isAdmin }));
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}

export async function seedDemo(): Promise<string> {
  if (await db().client.findFirst({ where: { name: 'Research Chatbot' } })) return 'Demo data is already there.';
  const admin = await userNamed('demo-admin@example.org', 'Dana Admin', true);
  const ada = await userNamed('ada@example.org', 'Ada Lovelace', false);
  const grace = await userNamed('grace@example.org', 'Grace Hopper', false);
  await userNamed('alan@example.org', 'Alan Turing', false);

  const echo = await createModel(admin, {
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
  await createApiKey(admin, { clientId: chatbot.id }, { name: 'staging' });

  const ci = await createClient(admin, { name: 'CI Runner' });
  await addClientManager(admin, ci.id, grace.id);
  await setCoinPool(admin, { clientId: ci.id }, { state: 'UNLIMITED' });
  await createApiKey(admin, { clientId: ci.id }, { name: 'ci-runner' });

  await createClient(admin, { name: 'Notebook Service' });
  void echo;
  return [
    'Demo data added: 4 users, 3 models, 3 clients.',
    `A key of "Research Chatbot" (shown once): ${production.secret}`,
    'Sign in as any of them with: npm run lumen -- login-link --email ada@example.org',
  ].join('\n');
}
