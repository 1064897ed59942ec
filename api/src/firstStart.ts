// On the first start with an empty database, create the admin and hand out a way in.
import { db } from './db/current.ts';
import { createLoginLink } from './domain/auth.ts';
import { createUser } from './domain/users.ts';

export async function ensureFirstAdmin(adminEmail: string, publicUrl: string): Promise<string | null> {
  if ((await db().user.count()) > 0) return null;
  await createUser(null, { email: adminEmail, name: 'Administrator', isAdmin: true });
  const { url } = await createLoginLink(adminEmail, publicUrl);
  return url;
}
