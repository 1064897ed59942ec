// node(id) and nodes(ids), written here rather than by the Relay plugin: an id that
// is malformed, of an unknown type, of a missing object or of one the viewer may not
// see all answer null without an error, as client(id) does, so that no answer tells
// "exists but hidden" apart from "does not exist".
import { brandWithType } from '@pothos/core';
import { db } from '../db/current.ts';
import { badInput } from '../domain/errors.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { parseGlobalId } from './globalIds.ts';
import { canSeeAccessToken, canSeeApiKey, canSeeModel, canSeeSession, canSeeUser } from './visibility.ts';

const MAX_NODES = 100;

type Loader = (id: string, ctx: Context) => Promise<object | null>;

const visibleOrNull = async <Row extends object>(
  row: Row | null,
  ctx: Context,
  canSee: (row: Row, ctx: Context) => boolean | Promise<boolean>,
) => (row && (await canSee(row, ctx)) ? row : null);

const loaders: Record<string, Loader> = {
  // The same rule as canSeeClient, checked in the client's own statement.
  Client: (id, ctx) => ctx.permissions.viewableClient(id, (where) => db().client.findUnique({ where })),
  ApiKey: async (id, ctx) => visibleOrNull(await db().apiKey.findUnique({ where: { id } }), ctx, canSeeApiKey),
  User: async (id, ctx) => ((await canSeeUser({ id }, ctx)) ? db().user.findUnique({ where: { id } }) : null),
  Model: async (id, ctx) => ((await canSeeModel({ id }, ctx)) ? db().model.findUnique({ where: { id } }) : null),
  Session: async (id, ctx) => visibleOrNull(await db().session.findUnique({ where: { id } }), ctx, canSeeSession),
  AccessToken: async (id, ctx) => visibleOrNull(await db().accessToken.findUnique({ where: { id } }), ctx, canSeeAccessToken),
};

async function loadNode(globalId: string, ctx: Context): Promise<object | null> {
  const decoded = parseGlobalId(globalId);
  const load = decoded && Object.hasOwn(loaders, decoded.typename) ? loaders[decoded.typename] : undefined;
  if (!decoded || !load) return null;
  const row = await load(decoded.id, ctx);
  if (row) brandWithType(row, decoded.typename as never);
  return row;
}

builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this global id, or null when it does not exist or the viewer may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => loadNode(args.id, ctx),
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: 'The objects with these global ids, in order; null for each that does not exist or that the viewer may not see.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, ctx) => {
      if (args.ids.length > MAX_NODES) throw badInput(`nodes takes at most ${MAX_NODES} ids at a time (got ${args.ids.length})`, 'ids');
      return Promise.all(args.ids.map((id) => loadNode(id, ctx)));
    },
  }),
);
