// On the first start with an empty database, create the admin and hand out a way in.
import { db } from './db/current.ts';

export async function ensureFirstAdmin(adminEmail: string, publicUrl: string): Promise<string | null> {
  if ((await db().user.count()) > 0) return null;
  // Loaded only on that first start: every later start (and its idle memory) goes without the
  // sign-in and user modules until the admin API needs them.
  const [{ createLoginLink }, { createUser }] = await Promise.all([import('./domain/auth.ts'), import('./domain/users.ts')]);
  await createUser(null, { email: adminEmail, name: 'Administrator', isAdmin: true });
  const { url } = await createLoginLink(adminEmail, publicUrl);
  return url;
}
