// What the Users pages need about a user beyond their name: when they last signed in,
// and what the viewer may do to them (the UI shows controls from these, never from roles).
import { config } from '../config.ts';
import { db } from '../db/current.ts';
import { batchLoader } from './batch.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';

/**
 * Derived, not stored: every sign-in (link or identity provider) starts a session, and
 * sessions are kept after they end, so a user's newest session is their last sign-in.
 * One grouped query for a whole list of users.
 */
export const lastSignInOf = batchLoader<Date | null>(async (userIds) => {
  const rows = await db().session.groupBy({ by: ['userId'], where: { userId: { in: userIds } }, _max: { createdAt: true } });
  return new Map(rows.map((row) => [row.userId, row._max.createdAt]));
}, null);

// Which users are the active admins, once per request: "the last active admin" decides two permissions.
const activeAdminsOf = new WeakMap<Context, Promise<string[]>>();
function activeAdmins(ctx: Context): Promise<string[]> {
  let ids = activeAdminsOf.get(ctx);
  if (!ids) {
    ids = db()
      .user.findMany({ where: { isAdmin: true, active: true }, select: { id: true } })
      .then((rows) => rows.map((row) => row.id));
    activeAdminsOf.set(ctx, ids);
  }
  return ids;
}

type Target = { id: string; isAdmin: boolean; active: boolean };

/** The only active admin may be neither demoted nor deactivated (domain/users.ts refuses both). */
async function isLastActiveAdmin(user: Target, ctx: Context): Promise<boolean> {
  if (!user.isAdmin || !user.active) return false;
  const admins = await activeAdmins(ctx);
  return admins.length === 1 && admins[0] === user.id;
}

export const UserPermissionsRef = builder.objectRef<Target>('UserPermissions').implement({
  description: 'What the viewer may do to this user.',
  fields: (t) => ({
    setAdmin: t.boolean({
      description:
        'Make admin or remove admin: admins, unless the identity provider decides (LUMEN_OIDC_ADMIN_GROUP) or this is the last active admin.',
      resolve: async (user, _args, ctx) =>
        ctx.permissions.canAdminister() && !config().oidc?.adminGroup && !(await isLastActiveAdmin(user, ctx)),
    }),
    setActive: t.boolean({
      description: 'Deactivate or activate: admins, for anyone but themselves and the last active admin.',
      resolve: async (user, _args, ctx) =>
        ctx.permissions.canAdminister() && ctx.viewer!.id !== user.id && !(await isLastActiveAdmin(user, ctx)),
    }),
    setCoinPool: t.boolean({
      description: "Set the budget of the user's personal keys: admins.",
      resolve: (_user, _args, ctx) => ctx.permissions.canAdminister(),
    }),
    revokeSessions: t.boolean({
      description: "End the user's sessions and revoke their admin-API tokens: the user, and admins.",
      resolve: (user, _args, ctx) => ctx.permissions.canActForUser(user.id),
    }),
  }),
});
