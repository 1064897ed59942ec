// What the load runs against, set up the way an operator would: an admin-API token
// from the CLI (`lumen token create` for the first admin, whom the first start
// created), then GraphQL on a running instance. One client with a LIMITED pool and
// no refill, so that capacity − balance must equal exactly what was spent plus what
// is still reserved; one sk_ key per load loop (so records can be counted per key)
// and one for the revocation probe.
import type { TypedDocumentString } from '../../test/gql/graphql.ts';
import { graphql } from '../../test/gql/index.ts';
import { lumenCli } from './fleet.ts';

export const MODELS = {
  // delay and tokenDelay keep requests in flight a little, so that faults catch some mid-way.
  fast: { name: 'echo-faults', upstreamModel: 'echo?delay=10', inputCoinsPerMillion: '1000.5', outputCoinsPerMillion: '3000.25' },
  stream: {
    name: 'echo-faults-stream',
    upstreamModel: 'echo?tokenDelay=4',
    inputCoinsPerMillion: '1500.75',
    outputCoinsPerMillion: '2500.125',
  },
} as const;

export const POOL = { state: 'LIMITED', capacity: '1000000' } as const;

export interface Key {
  id: string;
  secret: string;
  name: string;
}

export interface Seeded {
  adminToken: string;
  clientId: string;
  loopKeys: Key[];
  probeKey: Key;
}

/** A GraphQL call on one instance as the admin; its data, or an Error saying what it answered. */
export async function gqlAt<TResult, TVariables>(
  baseUrl: string,
  token: string,
  query: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
  timeoutMs = 10_000,
): Promise<TResult> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: String(query), variables: variables ?? {} }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = (await response.json()) as { data?: TResult; errors?: { message: string; extensions?: { code?: string } }[] };
  if (json.errors?.length)
    throw new Error(`GraphQL ${response.status}: ${json.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
  return json.data as TResult;
}

const CREATE_KEY = graphql(`
  mutation FaultSeed_CreateKey($c: ID!, $n: String!) {
    createApiKey(input: { clientId: $c, name: $n }) {
      secret
      apiKey {
        id
      }
    }
  }
`);

export async function createKey(baseUrl: string, token: string, clientId: string, name: string): Promise<Key> {
  const data = await gqlAt(baseUrl, token, CREATE_KEY, { c: clientId, n: name });
  return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret, name };
}

export async function seed(baseUrl: string, env: Record<string, string>, adminEmail: string, loops: number): Promise<Seeded> {
  const printed = await lumenCli(env, ['token', 'create', '--email', adminEmail, '--name', 'fault suite']);
  const adminToken = printed.trim().split('\n').at(-1)!.trim();
  for (const m of Object.values(MODELS)) {
    await gqlAt(
      baseUrl,
      adminToken,
      graphql(`
        mutation FaultSeed_CreateModel($i: CreateModelInput!) {
          createModel(input: $i) {
            model {
              id
            }
          }
        }
      `),
      {
        i: { ...m, provider: 'echo' },
      },
    );
  }
  const clientId = (
    await gqlAt(
      baseUrl,
      adminToken,
      graphql(`
        mutation FaultSeed_CreateClient {
          createClient(input: { name: "Fault suite" }) {
            client {
              id
            }
          }
        }
      `),
    )
  ).createClient.client.id;
  await gqlAt(
    baseUrl,
    adminToken,
    graphql(`
      mutation FaultSeed_SetPool($i: SetClientCoinPoolInput!) {
        setClientCoinPool(input: $i) {
          client {
            id
          }
        }
      }
    `),
    { i: { clientId, ...POOL } },
  );
  const loopKeys: Key[] = [];
  for (let i = 0; i < loops; i++) loopKeys.push(await createKey(baseUrl, adminToken, clientId, `loop-${i}`));
  return { adminToken, clientId, loopKeys, probeKey: await createKey(baseUrl, adminToken, clientId, 'revocation probe') };
}
