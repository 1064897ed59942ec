// Clients (services and tools that call models) and their managers.
import { db, type Tx } from '../db/current.ts';
import { publishAccessLoss, publishInvalidation } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { badInput } from './errors.ts';
import { isUuid, literalContains, requireName } from './input.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

export async function requireClient(tx: Tx, id: string, field = 'clientId') {
  const client = isUuid(id) ? await tx.client.findUnique({ where: { id } }) : null;
  if (!client) throw badInput(`No client with id ${id}`, field);
  return client;
}

export async function createClient(actor: Viewer, input: { name: string }) {
  const name = requireName(input.name, 'name');
  return db().$transaction(async (tx) => {
    // Every client starts with a pool that is NOT_CONFIGURED: no spending until an admin decides.
    const client = await tx.client.create({ data: { name, coinPool: { create: {} } } });
    await recordAudit(tx, actor, 'client.create', { type: 'Client', id: client.id }, { name });
    return client;
  });
}

export async function setClientActive(actor: Viewer, clientId: string, active: boolean) {
  const client = await db().$transaction(async (tx) => {
    const client = await requireClient(tx, clientId);
    if (client.active === active) return client;
    const updated = await tx.client.update({ where: { id: client.id }, data: { active } });
    await recordAudit(tx, actor, active ? 'client.activate' : 'client.deactivate', { type: 'Client', id: client.id });
    return updated;
  });
  publishInvalidation(active ? 'client.activate' : 'client.deactivate');
  return client;
}

export async function addClientManager(actor: Viewer, clientId: string, userId: string) {
  return db().$transaction(async (tx) => {
    const client = await requireClient(tx, clientId);
    const user = await requireUser(tx, userId);
    if (!user.active) throw badInput(`${user.name} is deactivated and cannot manage a client`, 'userId');
    const existing = await tx.clientManager.findUnique({ where: { clientId_userId: { clientId: client.id, userId: user.id } } });
    if (existing) throw badInput(`${user.name} already manages ${client.name}`, 'userId');
    await tx.clientManager.create({ data: { clientId: client.id, userId: user.id, addedById: actor.id } });
    await recordAudit(tx, actor, 'client.addManager', { type: 'Client', id: client.id }, { userId: user.id, email: user.email });
    return client;
  });
}

export async function removeClientManager(actor: Viewer, clientId: string, userId: string) {
  const removedFrom = await db().$transaction(async (tx) => {
    const client = await requireClient(tx, clientId);
    const user = await requireUser(tx, userId);
    const removed = await tx.clientManager.deleteMany({ where: { clientId: client.id, userId: user.id } });
    if (removed.count === 0) throw badInput(`${user.name} does not manage ${client.name}`, 'userId');
    await recordAudit(tx, actor, 'client.removeManager', { type: 'Client', id: client.id }, { userId: user.id, email: user.email });
    return client;
  });
  // Their open subscriptions to this client's usage end (on every instance).
  publishAccessLoss(userId, 'client.removeManager');
  return removedFrom;
}

/** Admins see every client; others the ones they manage. Optional name search. */
export function visibleClientsWhere(viewer: Viewer, search?: string | null) {
  const text = search?.trim();
  return {
    ...(viewer.isAdmin ? {} : { managers: { some: { userId: viewer.id } } }),
    ...(text ? { name: literalContains(text) } : {}),
  };
}
