// The Pothos builder and its plugins. Types live in the files beside this one.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError } from 'graphql';
import { db } from '../db/current.ts';
import type { ClientAction } from '../domain/permissions.ts';
import type PrismaTypes from '../generated/pothos-types.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import type { Decimal } from '../domain/coins.ts';
import type { Context } from './context.ts';
import { isUuid } from '../domain/input.ts';
import { clientIdFromArg } from './ids.ts';

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
    /** The viewer may do this to the client (a uuid or a global id); unknown ids pass, for the resolver to report. */
    clientAction: { action: ClientAction; clientId: string };
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  prisma: {
    // A function, so the schema can be built before the database is opened.
    client: () => db(),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
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
        const id = isUuid(clientId) ? clientId : clientIdFromArg(clientId);
        if (!id) return true;
        const exists = await ctx.permissions.clientExists(id);
        return !exists || ctx.permissions.can(action, id);
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
