// People: admins and managers. Users are deactivated, never deleted, so that
// history (audit entries, keys they revoked) keeps its names.
import { db, type Tx } from '../db/current.ts';
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
  const text = search.trim();
  const take = Math.min(Math.max(first, 1), 50);
  return db().user.findMany({
    where: {
      active: true,
      ...(text ? { OR: [{ name: literalContains(text) }, { email: literalContains(text) }] } : {}),
    },
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

export async function setUserActive(actor: Viewer, userId: string, active: boolean) {
  const user = await db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.id === actor.id && !active) throw badInput('You cannot deactivate yourself', 'userId');
    const updated = await tx.user.update({ where: { id: user.id }, data: { active } });
    if (!active) await tx.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, active ? 'user.activate' : 'user.deactivate', { type: 'User', id: user.id });
    return updated;
  });
  publishInvalidation(active ? 'user.activate' : 'user.deactivate');
  if (!active) publishAccessLoss(user.id, 'user.deactivate');
  return user;
}
