// The callers of the authorization tests (roles.test.ts, authMatrix.test.ts): one person for
// every kind of caller, and a fresh client that the manager manages, for each test.
import { createApiKey } from '../../src/domain/apiKeys.ts';
import { setUserActive } from '../../src/domain/users.ts';
import { gid, type TestLumen, type TestUser } from './lumen.ts';
import { model } from './v1.ts';

export type Role = 'anonymous' | 'deactivated' | 'stranger' | 'otherManager' | 'manager' | 'admin';
export const ROLES: Role[] = ['anonymous', 'deactivated', 'stranger', 'otherManager', 'manager', 'admin'];

export type People = Record<Exclude<Role, 'anonymous'>, TestUser>;

export interface Cast {
  people: People;
  /** A client managed by otherManager only. */
  otherClient: { id: string; globalId: string };
  /** A model that needs consent before use. */
  consentModel: { id: string; globalId: string; name: string };
}

/** Everyone once per test file; the deactivated user manages clients too, to prove deactivation wins. */
export async function castOfRoles(lumen: TestLumen): Promise<Cast> {
  const admin = await lumen.user({ admin: true });
  const people: People = {
    admin,
    deactivated: await lumen.user(),
    stranger: await lumen.user(),
    otherManager: await lumen.user(),
    manager: await lumen.user(),
  };
  const otherClient = await lumen.client(admin, 'Somebody else');
  await lumen.prisma.clientManager.create({ data: { clientId: otherClient.id, userId: people.otherManager.id } });
  const consent = await model(admin, { name: 'consent-model', needsConsent: true, consentNotice: 'Be careful.' });
  await setUserActive(admin.viewer, people.deactivated.id, false);
  return { people, otherClient, consentModel: { id: consent.id, globalId: gid('Model', consent.id), name: consent.name } };
}

/** The test user a role calls as; nobody for anonymous. */
export const caller = (people: People, role: Role): TestUser | null => (role === 'anonymous' ? null : people[role]);

export interface ManagedClient {
  client: { id: string; globalId: string };
  key: { id: string; globalId: string };
  /** A third manager, whom the admin can remove (or whose personal data others must not see). */
  member: TestUser;
}

/** A fresh client managed by the manager, the deactivated user and a new member, with one key. */
export async function managedClient(lumen: TestLumen, people: People): Promise<ManagedClient> {
  const client = await lumen.client(people.admin);
  const member = await lumen.user();
  await lumen.prisma.clientManager.createMany({
    data: [people.manager, people.deactivated, member].map((user) => ({ clientId: client.id, userId: user.id })),
  });
  const { apiKey } = await createApiKey(people.admin.viewer, { clientId: client.id }, { name: 'existing' });
  return { client, key: { id: apiKey.id, globalId: gid('ApiKey', apiKey.id) }, member };
}
