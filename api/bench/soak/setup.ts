// What the soak runs against, set up through Lumen's domain functions on the
// soak's own PostgreSQL database:
//   steady  UNLIMITED pool, 3 keys   (most /v1 traffic, streaming and not)
//   other   UNLIMITED pool, 2 keys
//   tight   LIMITED pool that starts nearly empty and refills a little every
//           second: most of its requests are refused with 429 (deliberately), the
//           rest race the refills, and the balance must still add up to the coin.
// Capacity is far above anything the refills reach, so no refill is ever capped
// and "credited = intervals × refillAmount" holds exactly.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createApiKey } from '../../src/domain/apiKeys.ts';
import { createAccessToken } from '../../src/domain/auth.ts';
import { addClientManager, createClient } from '../../src/domain/clients.ts';
import { setClientCoinPool } from '../../src/domain/coinPools.ts';
import { createModel } from '../../src/domain/models.ts';
import { createUser } from '../../src/domain/users.ts';

export const MODELS = {
  fast: { name: 'echo-fast', upstreamModel: 'echo', inputCoinsPerMillion: '1000', outputCoinsPerMillion: '3000' },
  // A streamed answer with a token every millisecond: streams stay open a little while.
  stream: { name: 'echo-stream', upstreamModel: 'echo?tokenDelay=1', inputCoinsPerMillion: '1500.5', outputCoinsPerMillion: '2500.25' },
} as const;

export const TIGHT_POOL = { capacity: '1000000', balance: '0.3', refillAmount: '0.05', refillIntervalSeconds: 1 } as const;

export interface SoakClient {
  label: 'steady' | 'other' | 'tight';
  id: string;
  globalId: string;
  keys: string[];
}

export interface SoakSetup {
  adminToken: string;
  managerToken: string;
  clients: SoakClient[];
}

export async function setUpSoak(): Promise<SoakSetup> {
  const adminUser = await createUser(null, { email: 'soak-admin@example.org', name: 'Soak Admin', isAdmin: true });
  const admin = { id: adminUser.id, email: adminUser.email, name: adminUser.name, isAdmin: true };
  const manager = await createUser(admin, { email: 'soak-manager@example.org', name: 'Soak Manager' });
  for (const m of Object.values(MODELS)) await createModel(admin, { ...m, provider: 'echo' });
  const clients: SoakClient[] = [];
  for (const [label, keyCount] of [
    ['steady', 3],
    ['other', 2],
    ['tight', 2],
  ] as const) {
    const client = await createClient(admin, { name: `Soak ${label}` });
    await addClientManager(admin, client.id, manager.id);
    if (label === 'tight') await setClientCoinPool(admin, client.id, { state: 'LIMITED', ...TIGHT_POOL });
    else await setClientCoinPool(admin, client.id, { state: 'UNLIMITED' });
    const keys = [];
    for (let i = 0; i < keyCount; i++) keys.push((await createApiKey(admin, { clientId: client.id }, { name: `${label}-${i}` })).secret);
    clients.push({ label, id: client.id, globalId: encodeGlobalID('Client', client.id), keys });
  }
  return {
    adminToken: (await createAccessToken(null, admin.id, { name: 'soak' })).token,
    managerToken: (await createAccessToken(null, manager.id, { name: 'soak' })).token,
    clients,
  };
}
