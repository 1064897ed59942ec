/** An owner of keys, access, usage and a pool as its fragments select it: a Client, or a User (personal keys). */
export interface OwnerRef {
  __typename?: string;
  id?: string;
}

/**
 * How a mutation names an owner: a client by its id; the viewer's own personal account by
 * leaving `clientId` out (the API has no other way to name a user's personal keys).
 */
export function ownerInput(owner: OwnerRef): { clientId?: string } {
  return owner.__typename === 'Client' && owner.id ? { clientId: owner.id } : {};
}
