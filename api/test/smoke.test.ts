import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

test('an admin creates a client and sees it', async () => {
  const admin = await lumen.user({ admin: true });
  const created = await lumen.gql(
    graphql(`
      mutation Smoke_CreateClient {
        createClient(input: { name: "Chatbot" }) {
          client {
            id
            name
            active
            coinPool {
              state
              balance
            }
            coinRefill {
              amount
            }
            usage {
              requests
              totalTokens
              coinsSpent
            }
            viewerCan {
              createApiKey
              manageManagers
            }
          }
        }
      }
    `),
    {},
    admin,
  );
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  assert.ok(created.data, 'no data');
  const client = created.data.createClient.client;
  assert.equal(client.name, 'Chatbot');
  assert.deepEqual(client.coinPool, { state: 'NOT_CONFIGURED', balance: null });
  assert.equal(client.usage.coinsSpent, '0');
  const seen = await lumen.gql(
    graphql(`
      query Smoke_Client($id: ID!) {
        client(id: $id) {
          name
          apiKeys {
            totalCount
            edges {
              node {
                id
              }
            }
          }
          modelAccess {
            status
          }
          managers {
            user {
              email
            }
          }
        }
      }
    `),
    { id: client.id },
    admin,
  );
  assert.equal(seen.errors, undefined, JSON.stringify(seen.errors));
  assert.equal(seen.data?.client?.name, 'Chatbot');
});
