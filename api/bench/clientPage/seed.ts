// The client the page benchmark opens: 5 managers, 200 API keys (20 revoked, a
// third with usage), 20 models (5 needing consent, 2 of them consented, one
// disabled, one blocked by default and one by a client rule, 8 with usage and a
// few failed requests so model health has something to compute), a LIMITED pool
// with a refill. Everything goes through Lumen's own domain functions, and usage
// through the real metering (reserve, then record), so the rows are what /v1 writes.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { db } from '../../src/db/current.ts';
import { createApiKey, revokeApiKey } from '../../src/domain/apiKeys.ts';
import { createAccessToken } from '../../src/domain/auth.ts';
import { addClientManager, createClient } from '../../src/domain/clients.ts';
import { setClientCoinPool } from '../../src/domain/coinPools.ts';
import { exact } from '../../src/domain/coins.ts';
import { priceOf, recordUsage, reserveCoins, type UsageStatus } from '../../src/domain/metering.ts';
import { grantModelConsent, setClientModelAccess } from '../../src/domain/modelAccess.ts';
import { createModel } from '../../src/domain/models.ts';
import { createUser } from '../../src/domain/users.ts';
import type { Viewer } from '../../src/domain/viewer.ts';

export const PAGE_SHAPE = { managers: 5, keys: 200, revokedKeys: 20, models: 20 } as const;

export interface SeededPage {
  clientId: string;
  clientGlobalId: string;
  /** An admin-API token of one of the managers (not an admin): the usual viewer of the page. */
  managerToken: string;
  usageRecords: number;
}

const viewerOf = (user: { id: string; email: string; name: string; isAdmin: boolean }): Viewer => ({
  id: user.id,
  email: user.email,
  name: user.name,
  isAdmin: user.isAdmin,
});

export async function seedClientPage(admin: Viewer): Promise<SeededPage> {
  const client = await createClient(admin, { name: 'Research Chatbot' });
  await setClientCoinPool(admin, client.id, {
    state: 'LIMITED',
    capacity: '100000',
    balance: '100000',
    refillAmount: '500',
    refillIntervalSeconds: 86400,
  });

  const managers: Viewer[] = [];
  for (let i = 1; i <= PAGE_SHAPE.managers; i++) {
    const user = viewerOf(await createUser(admin, { email: `manager${i}@example.org`, name: `Manager ${i}` }));
    await addClientManager(admin, client.id, user.id);
    managers.push(user);
  }
  const { token: managerToken } = await createAccessToken(null, managers[0].id, { name: 'bench' });

  const models = [];
  for (let i = 0; i < PAGE_SHAPE.models; i++) {
    const needsConsent = i % 4 === 0;
    models.push(
      await createModel(admin, {
        name: `model-${String(i).padStart(2, '0')}`,
        provider: 'echo',
        upstreamModel: 'echo',
        inputCoinsPerMillion: `${1 + i}.25`,
        outputCoinsPerMillion: `${2 + i}.5`,
        needsConsent,
        consentNotice: needsConsent ? `Prompts sent to model-${i} are kept for 30 days by its provider.` : null,
        defaultAccess: i === 17 ? 'BLOCKED' : 'ALLOWED',
      }),
    );
  }
  await db().model.update({ where: { id: models[19].id }, data: { disabled: true } });
  await setClientModelAccess(admin, client.id, models[18].id, 'BLOCKED');
  await setClientModelAccess(admin, client.id, models[17].id, 'ALLOWED');
  for (const i of [0, 4]) await grantModelConsent(managers[0], { clientId: client.id }, models[i].id);

  const keys = [];
  for (let i = 0; i < PAGE_SHAPE.keys; i++)
    keys.push((await createApiKey(managers[i % managers.length], { clientId: client.id }, { name: `key-${i}` })).apiKey);
  for (let i = 0; i < PAGE_SHAPE.revokedKeys; i++) await revokeApiKey(admin, keys[i * 10 + 5].id);

  // Usage on the callable models 0-7 (0 and 4 consented) from every third key; every
  // 7th request of model-03 fails upstream, so its health is DEGRADED.
  const used = models.slice(0, 8).filter((_, i) => i % 4 !== 0 || i === 0 || i === 4);
  let usageRecords = 0;
  for (let k = 0; k < keys.length; k += 3) {
    for (let r = 0; r < 1 + (k % 3); r++) {
      const model = used[(k + r) % used.length];
      const status: UsageStatus = model === models[3] && usageRecords % 7 === 0 ? 'upstream_error' : 'ok';
      const [inputTokens, outputTokens] = status === 'ok' ? [20 + k, 5 + r * 40] : [0, 0];
      const reservation = await reserveCoins({ clientId: client.id }, priceOf(model, 20 + k, 4096));
      const cost = status === 'ok' ? priceOf(model, inputTokens, outputTokens) : exact(0);
      await recordUsage({
        owner: { clientId: client.id },
        apiKeyId: keys[k].id,
        modelId: model.id,
        reservation,
        inputTokens,
        outputTokens,
        cost,
        status,
        latencyMs: 40 + r,
      });
      usageRecords++;
    }
  }
  return { clientId: client.id, clientGlobalId: encodeGlobalID('Client', client.id), managerToken, usageRecords };
}
