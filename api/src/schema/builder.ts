// The Pothos builder and its plugins. Types live in the files beside this one.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { config } from '../config.ts';
import { db } from '../db/current.ts';
import type { ClientAction } from '../domain/permissions.ts';
import type PrismaTypes from '../generated/pothos-types.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import type { Decimal } from '../domain/coins.ts';
import type { Context } from './context.ts';
import GlobalIdInputPlugin from './globalIdInput.ts';

export const builder = new SchemaBuilder<{
  PrismaTypes: PrismaTypes;
  Context: Context;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    Coins: { Input: string; Output: Decimal | string };
    DateTime: { Input: Date; Output: Date };
  };
  AuthScopes: {
    loggedIn: boolean;
    admin: boolean;
    /** The viewer may do this to the client (its uuid: global id arguments are decoded first); unknown ids pass, for the resolver to report. */
    clientAction: { action: ClientAction; clientId: string };
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, GlobalIdInputPlugin],
  defaultFieldNullability: false,
  prisma: {
    // A function, so the schema can be built before the database is opened.
    client: () => db(),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    // A function, as the schema is built at import, before the configuration is loaded; the check itself is cheap.
    onUnusedQuery: (info) => {
      if (config().env !== 'production') console.warn(`Prisma query was unused in resolver for ${info.parentType.name}.${info.fieldName}`);
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // Written in node.ts, so that hidden and missing objects both answer null.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    treatErrorsAsUnauthorized: true,
    authScopes: async (ctx) => ({
      loggedIn: ctx.viewer !== null,
      admin: ctx.viewer?.isAdmin === true,
      clientAction: async ({ action, clientId }) => {
        if (!ctx.viewer) return false;
        const exists = await ctx.permissions.clientExists(clientId);
        return !exists || ctx.permissions.can(action, clientId);
      },
    }),
    unauthorizedError: (_parent, context, _info, result) =>
      context.viewer
        ? new GraphQLError(`Not allowed: ${result.message}`, { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Sign in first: send an admin-API token (Authorization: Bearer lat_...) or a session cookie', {
            extensions: { code: 'UNAUTHENTICATED' },
          }),
  },
});

builder.queryType({});
builder.mutationType({});
