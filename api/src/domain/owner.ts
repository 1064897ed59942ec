// Keys, consents, usage and coin pools belong to a client or to one user's personal account.
export type Owner = { clientId: string; userId?: undefined } | { userId: string; clientId?: undefined };

/** The owner as Prisma column values: exactly one is set. */
export function ownerColumns(owner: Owner): { clientId: string | null; userId: string | null } {
  return { clientId: owner.clientId ?? null, userId: owner.userId ?? null };
}

export function ownerWhere(owner: Owner): { clientId: string } | { userId: string } {
  return owner.clientId ? { clientId: owner.clientId } : { userId: owner.userId! };
}
