// `lumen user list`: every user as a table an operator can read or grep, one user a line.
import { db } from '../db/current.ts';

/** Names come from people and identity providers: no control character may reach the terminal. */
const printable = (text: string) => text.replace(/\p{Cc}/gu, ' ');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function userList(options: { includeDeactivated: boolean }): Promise<string> {
  const [users, deactivated] = await Promise.all([
    db().user.findMany({ where: options.includeDeactivated ? {} : { active: true }, orderBy: { email: 'asc' } }),
    options.includeDeactivated ? 0 : db().user.count({ where: { active: false } }),
  ]);
  // A sign-in (link or identity provider) starts a session: the newest one is the last sign-in.
  const signIns = await db().session.groupBy({
    by: ['userId'],
    where: { userId: { in: users.map((u) => u.id) } },
    _max: { createdAt: true },
  });
  const lastSignIn = new Map(signIns.map((s) => [s.userId, s._max.createdAt]));
  const hidden = deactivated > 0 ? `; ${deactivated} deactivated not shown (--all lists them)` : '';
  const summary = `${users.length} ${users.length === 1 ? 'user' : 'users'}${hidden}`;
  if (users.length === 0) return `${summary}. Add one with: lumen user add --email E --name N`;
  const rows = users.map((user) => [
    printable(user.email),
    printable(user.name),
    user.isAdmin ? 'yes' : 'no',
    user.active ? 'yes' : 'no',
    lastSignIn.get(user.id)?.toISOString() ?? 'never',
  ]);
  return `${table([['EMAIL', 'NAME', 'ADMIN', 'ACTIVE', 'LAST SIGN-IN'], ...rows])}\n${summary}`;
}
