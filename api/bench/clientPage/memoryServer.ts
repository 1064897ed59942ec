// The client page's two operations answered by GraphQL from memory: graphql-yoga with
// its defaults, serving Lumen's committed schema (schema.graphql) with graphql-js's default
// resolvers walking the answers Lumen gave (PAGE_ANSWERS, a JSON file keyed by operation
// name, written by run.ts). No database, no token check, no Pothos, no plugins: what is
// left is parsing, validation (cached), execution of every field, serialisation and
// HTTP. What it costs per page load is what any GraphQL server over this stack pays for
// the page's answers, whatever its data access; run.ts reports it beside the plain handler.
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, type GraphQLInterfaceType } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';

const answers = JSON.parse(fs.readFileSync(process.env.PAGE_ANSWERS ?? '', 'utf8')) as Record<string, { data: unknown }>;
const schema = buildSchema(fs.readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
// The keys query asks for any owner by node(id) without __typename; the benchmark's owner is a client.
for (const name of ['Node', 'UsageOwner']) {
  (schema.getType(name) as GraphQLInterfaceType).resolveType = (value: { __typename?: string }) => value.__typename ?? 'Client';
}

/** Each operation executes over its own answer as the root value. */
const answersAsRoot: Plugin = {
  onExecute({ args }) {
    args.rootValue = answers[args.operationName ?? '']?.data;
  },
};

const yoga = createYoga({ schema, logging: false, landingPage: false, graphiql: false, plugins: [answersAsRoot] });

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => console.log(`memory page server is listening on port ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
