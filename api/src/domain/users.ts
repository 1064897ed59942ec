// People: admins and managers. Users are deactivated, never deleted, so that
// history (audit entries, keys they revoked) keeps its names.
import { db, type Tx } from '../db/current.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { publishAccessLoss, publishInvalidation } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { badInput } from './errors.ts';
import { requireEmail, requireName, isUuid, literalContains } from './input.ts';
import type { Viewer } from './viewer.ts';

export async function createUser(actor: Viewer | null, input: { email: string; name: string; isAdmin?: boolean }) {
  const email = requireEmail(input.email);
  const name = requireName(input.name, 'name');
  return db().$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw badInput(`A user with the email ${email} already exists`, 'email');
    }
    const user = await tx.user.create({ data: { email, name, isAdmin: input.isAdmin ?? false } });
    await recordAudit(tx, actor, 'user.create', { type: 'User', id: user.id }, { email, isAdmin: user.isAdmin });
    return user;
  });
}

export async function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: requireEmail(email) } });
}

/** Active users whose name or email contains the text, for the Add Manager dialog. */
export async function searchUsers(search: string, first = 10) {
  const take = Math.min(Math.max(first, 1), 50);
  return db().user.findMany({
    where: userListWhere({ search }),
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
    take,
  });
}

export async function requireUser(tx: Tx, id: string, field = 'userId') {
  const user = isUuid(id) ? await tx.user.findUnique({ where: { id } }) : null;
  if (!user) throw badInput(`No user with id ${id}`, field);
  return user;
}

export function toViewer(user: { id: string; email: string; name: string; isAdmin: boolean; active: boolean } | null): Viewer | null {
  if (!user || !user.active) return null;
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}

/** What the admin list shows: by name (then id, so pages never overlap); search matches name or email. */
export function userListWhere(args: { search?: string | null; includeDeactivated?: boolean | null }): Prisma.UserWhereInput {
  const text = args.search?.trim() ?? '';
  return {
    ...(args.includeDeactivated ? {} : { active: true }),
    ...(text ? { OR: [{ name: literalContains(text) }, { email: literalContains(text) }] } : {}),
  };
}

export const USER_LIST_ORDER = [{ name: 'asc' }, { id: 'asc' }] satisfies Prisma.UserOrderByWithRelationInput[];

/**
 * Refuses to leave the instance without an active admin: nobody could then manage users,
 * models or clients except from the command line. The active admins' rows are locked, so
 * two admins demoting each other at once cannot both succeed.
 */
async function requireAnotherActiveAdmin(tx: Tx, user: { id: string; email: string; isAdmin: boolean; active: boolean }, doing: string) {
  if (!user.isAdmin || !user.active) return;
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "User" WHERE "isAdmin" AND "active" FOR UPDATE`;
  if (!admins.some((admin) => admin.id !== user.id)) {
    throw badInput(
      `${user.email} is the last active admin and cannot be ${doing}: make another user admin first, so that someone can still manage Lumen`,
      'userId',
    );
  }
}

/**
 * Makes a user admin or takes it away. With LUMEN_OIDC_ADMIN_GROUP set the identity provider
 * decides (every sign-in applies the group), so a change here would be undone: refused, naming the group.
 */
export async function setUserAdmin(actor: Viewer, userId: string, admin: boolean, options: { adminGroup: string | null }) {
  if (options.adminGroup) {
    throw badInput(
      `Admins are decided by the identity provider: members of the group "${options.adminGroup}" (LUMEN_OIDC_ADMIN_GROUP) are admins. Change the group's members there; the change applies at their next sign-in.`,
      'admin',
    );
  }
  const { user, demoted } = await db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.isAdmin === admin) return { user, demoted: false };
    if (!admin) await requireAnotherActiveAdmin(tx, user, 'demoted');
    const updated = await tx.user.update({ where: { id: user.id }, data: { isAdmin: admin } });
    await recordAudit(tx, actor, admin ? 'user.grantAdmin' : 'user.revokeAdmin', { type: 'User', id: user.id });
    return { user: updated, demoted: !admin };
  });
  // Their subscriptions to clients they do not manage end, on every instance (as an OIDC demotion does).
  if (demoted) publishAccessLoss(user.id, 'user.revokeAdmin');
  return user;
}

export async function setUserActive(actor: Viewer, userId: string, active: boolean) {
  const user = await db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.id === actor.id && !active) throw badInput('You cannot deactivate yourself', 'userId');
    if (!active) await requireAnotherActiveAdmin(tx, user, 'deactivated');
    const updated = await tx.user.update({ where: { id: user.id }, data: { active } });
    if (!active) await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, active ? 'user.activate' : 'user.deactivate', { type: 'User', id: user.id });
    return updated;
  });
  publishInvalidation(active ? 'user.activate' : 'user.deactivate');
  if (!active) publishAccessLoss(user.id, 'user.deactivate');
  return user;
}
