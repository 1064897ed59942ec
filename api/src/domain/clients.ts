// Clients (services and tools that call models) and their managers.
import { db, type Tx } from '../db/current.ts';
import { publishAccessLoss, publishInvalidation } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { badInput } from './errors.ts';
import { isUuid, literalContains, optionalText, requireName } from './input.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

export async function requireClient(tx: Tx, id: string, field = 'clientId') {
  const client = isUuid(id) ? await tx.client.findUnique({ where: { id } }) : null;
  if (!client) throw badInput(`No client with id ${id}`, field);
  return client;
}

/** The longest client description: a paragraph or two, shown on the client's page. */
export const CLIENT_DESCRIPTION_MAX = 2000;

const nameTaken = (name: string, field: string) =>
  badInput(`An active client is already named "${name}": choose another name, or rename or deactivate that client first`, field);

/**
 * Two active clients may not share a name, compared case-insensitively (people tell clients
 * apart by name). A partial unique index on lower(name) WHERE active enforces it in the
 * database; this check refuses first, with a message that names the client.
 */
async function activeClientNamed(tx: Tx, name: string, exceptId: string | null): Promise<string | null> {
  const [taken] = await tx.$queryRaw<{ name: string }[]>`
    SELECT "name" FROM "Client"
     WHERE "active" AND lower("name") = lower(${name}) AND (${exceptId}::uuid IS NULL OR "id" <> ${exceptId}::uuid)
     LIMIT 1`;
  return taken?.name ?? null;
}

async function requireFreeClientName(tx: Tx, name: string, exceptId: string | null) {
  const taken = await activeClientNamed(tx, name, exceptId);
  if (taken !== null) throw nameTaken(taken, 'name');
}

/** A name taken between the check and the write (two admins at once) gets the same refusal, not an internal error. */
async function refusingNameRace<T>(name: () => string, field: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'P2002') throw nameTaken(name(), field);
    throw error;
  }
}

export async function createClient(actor: Viewer, input: { name: string; description?: string | null }) {
  const name = requireName(input.name, 'name');
  const description = optionalText(input.description, 'description', CLIENT_DESCRIPTION_MAX);
  return refusingNameRace(
    () => name,
    'name',
    () =>
      db().$transaction(async (tx) => {
        await requireFreeClientName(tx, name, null);
        // Every client starts with a pool that is NOT_CONFIGURED: no spending until an admin decides.
        const client = await tx.client.create({ data: { name, description, coinPool: { create: {} } } });
        await recordAudit(tx, actor, 'client.create', { type: 'Client', id: client.id }, { name });
        return client;
      }),
  );
}

/** Renames a client or sets its description (admins). Omitted (or null) name stays; a null or empty description clears it. */
export async function updateClient(actor: Viewer, clientId: string, input: { name?: string | null; description?: string | null }) {
  const name = input.name != null ? requireName(input.name, 'name') : undefined;
  const description = input.description !== undefined ? optionalText(input.description, 'description', CLIENT_DESCRIPTION_MAX) : undefined;
  const result = await refusingNameRace(
    () => name ?? '',
    'name',
    () =>
      db().$transaction(async (tx) => {
        const client = await requireClient(tx, clientId);
        const changes: { name?: string; description?: string | null } = {};
        if (name !== undefined && name !== client.name) changes.name = name;
        if (description !== undefined && description !== client.description) changes.description = description;
        if (Object.keys(changes).length === 0) return { client, changed: false };
        // A deactivated client may take a name in use: activating it is refused until one of them is renamed.
        if (changes.name !== undefined && client.active) await requireFreeClientName(tx, changes.name, client.id);
        const updated = await tx.client.update({ where: { id: client.id }, data: changes });
        await recordAudit(
          tx,
          actor,
          'client.update',
          { type: 'Client', id: client.id },
          {
            ...(changes.name !== undefined ? { name: { from: client.name, to: changes.name } } : {}),
            ...(changes.description !== undefined ? { description: { from: client.description, to: changes.description } } : {}),
          },
        );
        return { client: updated, changed: true };
      }),
  );
  // Cached key checks carry the client's name (for /v1's messages).
  if (result.changed) publishInvalidation('client.update');
  return result.client;
}

export async function setClientActive(actor: Viewer, clientId: string, active: boolean) {
  let name = '';
  const client = await refusingNameRace(
    () => name,
    'clientId',
    () =>
      db().$transaction(async (tx) => {
        const client = await requireClient(tx, clientId);
        name = client.name;
        if (client.active === active) return client;
        // Its name may have been given to another client meanwhile: one of them must be renamed first.
        const taken = active ? await activeClientNamed(tx, client.name, client.id) : null;
        if (taken !== null)
          throw badInput(
            `${client.name} cannot be activated while another active client is named "${taken}": rename one of them first`,
            'clientId',
          );
        const updated = await tx.client.update({ where: { id: client.id }, data: { active } });
        await recordAudit(tx, actor, active ? 'client.activate' : 'client.deactivate', { type: 'Client', id: client.id });
        return updated;
      }),
  );
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
