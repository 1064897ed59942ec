// Who may see an object of each node type: the one rule, used both as the type's
// auth scope (so every field that returns one is guarded) and by node(id), which
// must answer null, not an error, for what the viewer may not see.
import type { Context } from './context.ts';

type Visible<Row> = (row: Row, ctx: Context) => boolean | Promise<boolean>;

export const canSeeClient: Visible<{ id: string }> = (client, ctx) => {
  ctx.permissions.knowClientExists(client.id);
  return ctx.permissions.can('view', client.id);
};

/** A key is visible to whoever may see its owner: the client's managers and admins, or the user. */
export const canSeeApiKey: Visible<{ clientId: string | null; userId: string | null }> = (key, ctx) =>
  key.clientId ? ctx.permissions.can('view', key.clientId) : ctx.permissions.canActForUser(key.userId!);

/** Names and emails of people are for signed-in users (managers pick managers); their personal data has field guards. */
export const canSeeUser: Visible<{ id: string }> = (_user, ctx) => ctx.viewer !== null;

export const canSeeModel: Visible<{ id: string }> = (_model, ctx) => ctx.viewer !== null;

/** A session is personal data of its user: theirs to see, and admins' (who may end it). */
export const canSeeSession: Visible<{ userId: string }> = (session, ctx) => ctx.permissions.canActForUser(session.userId);

/** An admin-API token is personal data of its user: theirs to see, and admins'. */
export const canSeeAccessToken: Visible<{ userId: string }> = (token, ctx) => ctx.permissions.canActForUser(token.userId);
