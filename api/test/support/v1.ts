// Helpers for the /v1 suites: the official OpenAI client wired to app.fetch (no
// port needed), and set-up of models, keys and pools through the domain.
import OpenAI from 'openai';
import { createApiKey } from '../../src/domain/apiKeys.ts';
import { exact, type Decimal } from '../../src/domain/coins.ts';
import { setClientCoinPool, type SetCoinPoolInput } from '../../src/domain/coinPools.ts';
import { createModel, type CreateModelInput } from '../../src/domain/models.ts';
import type { Viewer } from '../../src/domain/viewer.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { app } from '../../src/yoga.ts';
import type { TestLumen, TestUser } from './lumen.ts';

/** An OpenAI client for this key; no retries, so a refusal is seen once and at once. */
export function openai(secret: string, baseURL = 'http://lumen.test/v1'): OpenAI {
  return new OpenAI({
    apiKey: secret,
    baseURL,
    maxRetries: 0,
    fetch: baseURL.startsWith('http://lumen.test')
      ? (url: string | URL | Request, init?: RequestInit) => Promise.resolve(app.fetch(new Request(url as string, init)))
      : undefined,
  });
}

let models = 0;

/** An echo model with a unique name; `input` overrides any field. `as` is an admin (a test user or a viewer). */
export async function model(as: { viewer: Viewer }, input: Partial<CreateModelInput> = {}) {
  return createModel(as.viewer, {
    name: `echo-${++models}-${Math.random().toString(36).slice(2, 6)}`,
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '1000',
    outputCoinsPerMillion: '3000',
    ...input,
  });
}

export async function clientKey(admin: TestUser, clientId: string, name = 'test key') {
  const { apiKey, secret } = await createApiKey(admin.viewer, { clientId }, { name });
  return { id: apiKey.id, secret };
}

export async function pool(admin: TestUser, clientId: string, input: SetCoinPoolInput) {
  return (await setClientCoinPool(admin.viewer, clientId, input)).pool;
}

/** A client with an UNLIMITED pool and a key: the usual starting point. */
export async function unlimitedClient(lumen: TestLumen, admin: TestUser) {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  const key = await clientKey(admin, client.id);
  return { client, key };
}

/** Σ over rows of a decimal column, exactly. */
export const sum = (values: { toString(): string }[]): Decimal =>
  values.reduce<Decimal>((total, v) => total.plus(exact(v.toString())), exact(0));

/** The error an OpenAI SDK call raised, for assertions on status and code. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; message: string; type: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OpenAI.APIError)
      return { status: error.status as number, code: String(error.code), message: error.message, type: String(error.type) };
    throw error;
  }
  throw new Error('expected the call to be refused, and it succeeded');
}

/**
 * A client's LIMITED pool as coinPool shows it: the row's balance plus the unspent coins that
 * instances hold leased (domain/leases.ts). Any Prisma client: a second instance's too.
 */
export async function shownPool(prisma: PrismaClient, clientId: string) {
  const pool = await prisma.coinPool.findUniqueOrThrow({ where: { clientId }, include: { leases: true } });
  const balance = pool.leases.reduce((total, lease) => total.plus(exact(lease.amount)), exact(pool.balance));
  return { ...pool, balance };
}
