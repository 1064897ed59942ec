// api/schema.graphql is committed for the UI's codegen and for integrators; it must
// be exactly what the builder produces (`npm run generate` rewrites it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { SCHEMA_FILE, schemaText } from '../src/schema/print.ts';

test('schema.graphql is up to date with the code', () => {
  assert.equal(fs.readFileSync(SCHEMA_FILE, 'utf8'), schemaText(), 'api/schema.graphql is stale: run `npm run generate` and commit it');
});

test('the contract of the API issue is there, with its names', () => {
  const text = schemaText();
  for (const line of [
    'viewer: User!',
    'client(id: ID!): Client',
    'clients(after: String, before: String, first: Int, last: Int, search: String): ClientConnection!',
    'users(first: Int = 10, search: String!): [User!]!',
    'models: [Model!]!',
    'apiKeys(after: String, before: String, first: Int, includeRevoked: Boolean = false, last: Int, search: String): ApiKeyConnection!',
    'coinRefill: CoinRefill',
    'viewerCan: ClientPermissions!',
    'createApiKey(input: CreateApiKeyInput!): CreateApiKeyPayload!',
    'grantModelConsent(input: GrantModelConsentInput!): GrantModelConsentPayload!',
    'setClientCoinPool(input: SetClientCoinPoolInput!): SetClientCoinPoolPayload!',
    'scalar Coins',
  ]) {
    assert.ok(text.includes(line), `missing: ${line}`);
  }
});
