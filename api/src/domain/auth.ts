// Who is calling the admin API: admin-API tokens (lat_...) for scripts, and
// browser sessions started from one-time sign-in links. Model keys (sk_...) are
// deliberately not accepted here.
import { db } from '../db/current.ts';
import { recordAudit } from './audit.ts';
import { badInput } from './errors.ts';
import { requireName } from './input.ts';
import { adoptCurrentHash } from './rehash.ts';
import { generateSecret, hashSecret, hintOf, isWellFormed } from './secrets.ts';
import { findUserByEmail, requireUser, toViewer } from './users.ts';
import type { Viewer } from './viewer.ts';

export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
/** lastUsedAt/lastSeenAt are refreshed at most this often, to keep reads free of writes. */
const TOUCH_EVERY_MS = 60 * 1000;

export async function createAccessToken(actor: Viewer | null, userId: string, input: { name?: string | null }) {
  const name = requireName(input.name ?? 'token', 'name');
  const token = generateSecret('lat');
  return db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (!user.active) throw badInput(`${user.email} is deactivated`, 'userId');
    const accessToken = await tx.accessToken.create({ data: { userId: user.id, name, hash: hashSecret(token), hint: hintOf(token) } });
    await recordAudit(tx, actor, 'accessToken.create', { type: 'AccessToken', id: accessToken.id }, { userId: user.id, name });
    return { accessToken, token };
  });
}

export async function revokeAccessToken(actor: Viewer, id: string) {
  return db().$transaction(async (tx) => {
    const token = await tx.accessToken.findFirst({ where: { id, userId: actor.isAdmin ? undefined : actor.id } });
    if (!token) throw badInput(`No access token with id ${id}`, 'id');
    const updated = await tx.accessToken.update({ where: { id: token.id }, data: { revokedAt: token.revokedAt ?? new Date() } });
    await recordAudit(tx, actor, 'accessToken.revoke', { type: 'AccessToken', id: token.id });
    return updated;
  });
}

export async function authenticateAccessToken(token: string): Promise<Viewer | null> {
  if (!isWellFormed('lat', token)) return null;
  const find = () => db().accessToken.findUnique({ where: { hash: hashSecret(token) }, include: { user: true } });
  const row = (await find()) ?? ((await adoptCurrentHash('accessToken', token)) ? await find() : null);
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db().accessToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return toViewer(row.user);
}

/** A URL that signs the user in once, within 15 minutes. */
export async function createLoginLink(email: string, publicUrl: string): Promise<{ url: string; expiresAt: Date }> {
  const user = await findUserByEmail(email);
  if (!user) throw badInput(`No user with the email ${email}; add one with: lumen user add --email ${email} --name "..."`, 'email');
  if (!user.active) throw badInput(`${user.email} is deactivated`, 'email');
  const token = generateSecret('lnk');
  const expiresAt = new Date(Date.now() + LOGIN_LINK_TTL_MS);
  await db().loginLink.create({ data: { userId: user.id, hash: hashSecret(token), expiresAt } });
  return { url: `${publicUrl}/auth/login?token=${token}`, expiresAt };
}

export type SignInRefusal = 'invalid' | 'expired' | 'inactive';

/** Uses up a sign-in link and starts a session, or says why it cannot. */
export async function consumeLoginLink(token: string, userAgent: string | null): Promise<Awaited<ReturnType<typeof startSession>> | { refused: SignInRefusal }> {
  if (!isWellFormed('lnk', token)) return { refused: 'invalid' };
  return db().$transaction(async (tx) => {
    const now = new Date();
    const link = await tx.loginLink.findUnique({ where: { hash: hashSecret(token) }, include: { user: true } });
    if (!link) return { refused: 'invalid' as const };
    if (!link.user.active) return { refused: 'inactive' as const };
    // The conditional update is what makes the link single-use, even under a race.
    const used = await tx.loginLink.updateMany({ where: { id: link.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (used.count !== 1) return { refused: 'expired' as const };
    return startSession(tx, link.userId, userAgent);
  });
}

export interface OidcClaims {
  email?: unknown;
  name?: unknown;
  email_verified?: unknown;
  groups?: unknown;
}

/**
 * Signs in someone the institution's identity provider vouched for: finds the user
 * by email, or creates them on first sign-in. With an admin group configured,
 * membership decides isAdmin at every sign-in (so removing someone from the group
 * takes their admin rights away).
 */
export async function signInWithOidc(claims: OidcClaims, options: { adminGroup: string | null; userAgent: string | null }) {
  if (typeof claims.email !== 'string' || claims.email_verified === false) {
    throw badInput('The identity provider did not give a verified email address, which Lumen needs to know who you are', 'email');
  }
  const email = claims.email.trim().toLowerCase();
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : email.split('@')[0];
  const groups = Array.isArray(claims.groups) ? claims.groups.map(String) : [];
  const isAdmin = options.adminGroup ? groups.includes(options.adminGroup) : undefined;
  return db().$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email } });
    if (!user) {
      user = await tx.user.create({ data: { email, name, isAdmin: isAdmin ?? false } });
      await recordAudit(tx, null, 'user.create', { type: 'User', id: user.id }, { email, via: 'oidc', isAdmin: user.isAdmin });
    } else if (isAdmin !== undefined && user.isAdmin !== isAdmin) {
      user = await tx.user.update({ where: { id: user.id }, data: { isAdmin } });
      await recordAudit(tx, null, isAdmin ? 'user.grantAdmin' : 'user.revokeAdmin', { type: 'User', id: user.id }, { via: 'oidc group' });
    }
    if (!user.active) return null;
    return startSession(tx, user.id, options.userAgent);
  });
}

export async function listSessions(userId: string) {
  return db().session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { lastSeenAt: 'desc' } });
}

export async function revokeSession(actor: Viewer, sessionId: string) {
  const result = await db().session.updateMany({ where: { id: sessionId, userId: actor.id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (result.count === 0) throw badInput(`No active session of yours with id ${sessionId}`, 'id');
}

/** Which session a cookie belongs to, to mark "this device" in a list. */
export function sessionHashOf(token: string): string | null {
  return isWellFormed('ses', token) ? hashSecret(token) : null;
}

export async function startSession(tx: Parameters<typeof recordAudit>[0], userId: string, userAgent: string | null) {
  const sessionToken = generateSecret('ses');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const session = await tx.session.create({
    data: { userId, hash: hashSecret(sessionToken), userAgent: userAgent?.slice(0, 300) ?? null, expiresAt },
  });
  return { sessionToken, expiresAt, sessionId: session.id };
}

export async function authenticateSession(token: string): Promise<Viewer | null> {
  if (!isWellFormed('ses', token)) return null;
  const find = () => db().session.findUnique({ where: { hash: hashSecret(token) }, include: { user: true } });
  const session = (await find()) ?? ((await adoptCurrentHash('session', token)) ? await find() : null);
  if (!session || session.revokedAt || session.expiresAt <= new Date()) return null;
  if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  }
  return toViewer(session.user);
}

export async function endSession(token: string): Promise<void> {
  if (!isWellFormed('ses', token)) return;
  await db().session.updateMany({ where: { hash: hashSecret(token), revokedAt: null }, data: { revokedAt: new Date() } });
}
