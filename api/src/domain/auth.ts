// Who is calling the admin API: admin-API tokens (lat_...) for scripts, and
// browser sessions started from one-time sign-in links. Model keys (sk_...) are
// deliberately not accepted here.
import { db } from '../db/current.ts';
import { publishAccessLoss, publishInvalidation } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { badInput } from './errors.ts';
import { isUuid, requireName } from './input.ts';
import { findBySecret } from './rehash.ts';
import { generateSecret, hashSecret, hintOf, isWellFormed } from './secrets.ts';
import { findUserByEmail, requireUser, toViewer } from './users.ts';
import type { Viewer } from './viewer.ts';

export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
/** lastUsedAt/lastSeenAt are refreshed at most this often, to keep reads free of writes. */
const TOUCH_EVERY_MS = 60 * 1000;

/** Records a use of a token or session (`write`), unless the last one recorded (`last`) is recent. */
async function touch(last: Date | null, write: (now: Date) => Promise<unknown>): Promise<void> {
  if (!last || Date.now() - last.getTime() > TOUCH_EVERY_MS) await write(new Date());
}

/** The furthest ahead an admin-API token may expire: five years (null expiresAt means never). */
export const ACCESS_TOKEN_MAX_DAYS = 1826;
const DAY_MS = 24 * 3600 * 1000;

/** An expiry date a person chose: in the future, at most ACCESS_TOKEN_MAX_DAYS ahead, or null for never. */
export function requireTokenExpiry(expiresAt: Date | null | undefined, now = new Date()): Date | null {
  if (expiresAt == null) return null;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw badInput('expiresAt must be a date and time such as 2027-06-30T00:00:00Z, or null for a token that never expires', 'expiresAt');
  }
  if (expiresAt <= now) throw badInput(`expiresAt must be in the future, not ${expiresAt.toISOString()}`, 'expiresAt');
  if (expiresAt.getTime() - now.getTime() > ACCESS_TOKEN_MAX_DAYS * DAY_MS) {
    throw badInput(
      `expiresAt can be at most ${ACCESS_TOKEN_MAX_DAYS} days (five years) ahead, or null for a token that never expires`,
      'expiresAt',
    );
  }
  return expiresAt;
}

export async function createAccessToken(actor: Viewer | null, userId: string, input: { name?: string | null; expiresAt?: Date | null }) {
  const name = requireName(input.name ?? 'token', 'name');
  const expiresAt = requireTokenExpiry(input.expiresAt);
  const token = generateSecret('lat');
  return db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (!user.active) throw badInput(`${user.email} is deactivated`, 'userId');
    const accessToken = await tx.accessToken.create({
      data: { userId: user.id, name, hash: hashSecret(token), hint: hintOf(token), expiresAt },
    });
    await recordAudit(
      tx,
      actor,
      'accessToken.create',
      { type: 'AccessToken', id: accessToken.id },
      { userId: user.id, name, hint: accessToken.hint, expiresAt: expiresAt?.toISOString() ?? null },
    );
    return { accessToken, token };
  });
}

/** A user's tokens that are not revoked, newest first. Expired ones stay listed (marked by expiresAt) until revoked. */
export async function listAccessTokens(userId: string) {
  return db().accessToken.findMany({ where: { userId, revokedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
}

/**
 * Revokes a token at once. People revoke their own, admins anyone's, and the command
 * line (actor null) any. A token that is missing, already revoked or not the actor's
 * gets the same answer, so that the message tells nothing about other people's tokens.
 */
export async function revokeAccessToken(actor: Viewer | null, id: string) {
  const revoked = await db().$transaction(async (tx) => {
    const mine = actor && !actor.isAdmin ? { userId: actor.id } : {};
    // The conditional update decides, so two revocations at once cannot both succeed.
    const { count } = isUuid(id)
      ? await tx.accessToken.updateMany({ where: { id, revokedAt: null, ...mine }, data: { revokedAt: new Date() } })
      : { count: 0 };
    if (count !== 1) throw badInput(`No access token with id ${id} that you can revoke; it may have been revoked already`, 'id');
    const token = await tx.accessToken.findUniqueOrThrow({ where: { id } });
    await recordAudit(
      tx,
      actor,
      'accessToken.revoke',
      { type: 'AccessToken', id: token.id },
      { userId: token.userId, name: token.name, hint: token.hint },
    );
    return token;
  });
  publishInvalidation('access token revoked');
  publishAccessLoss(revoked.userId, 'accessToken.revoke');
  return revoked;
}

/** Why a token was refused; revoked and expired tokens say when, so their holder knows what happened. */
export type AccessTokenCheck = { viewer: Viewer } | { refused: 'unknown' | 'inactive' } | { refused: 'revoked' | 'expired'; at: Date };

/**
 * The one rule for whether a stored session or admin-API token still stands: not
 * revoked, not expired, and its user active. Sign-in and live subscriptions both ask here.
 */
function standingOf(row: {
  revokedAt: Date | null;
  expiresAt: Date | null;
  user: Parameters<typeof toViewer>[0];
}): Exclude<AccessTokenCheck, { refused: 'unknown' }> {
  if (row.revokedAt) return { refused: 'revoked', at: row.revokedAt };
  if (row.expiresAt && row.expiresAt <= new Date()) return { refused: 'expired', at: row.expiresAt };
  const viewer = toViewer(row.user);
  return viewer ? { viewer } : { refused: 'inactive' };
}

export async function authenticateAccessToken(token: string): Promise<AccessTokenCheck> {
  if (!isWellFormed('lat', token)) return { refused: 'unknown' };
  const row = await findBySecret('accessToken', token, (hash) => db().accessToken.findUnique({ where: { hash }, include: { user: true } }));
  if (!row) return { refused: 'unknown' };
  const standing = standingOf(row);
  if ('refused' in standing) return standing;
  await touch(row.lastUsedAt, (now) => db().accessToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }));
  return standing;
}

/** Which token a bearer header carries, to mark "this token" in a list. */
export function accessTokenHashOf(token: string): string | null {
  return isWellFormed('lat', token) ? hashSecret(token) : null;
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
export async function consumeLoginLink(
  token: string,
  userAgent: string | null,
): Promise<Awaited<ReturnType<typeof startSession>> | { refused: SignInRefusal }> {
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

export async function listSessions(userId: string) {
  return db().session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { lastSeenAt: 'desc' } });
}

/**
 * Ends a session at once. People end their own, admins anyone's (recorded in the audit log).
 * A session that is missing, ended already or someone else's gets the same answer, which tells
 * nothing about other people's sessions.
 */
export async function revokeSession(actor: Viewer, sessionId: string) {
  const mine = actor.isAdmin ? {} : { userId: actor.id };
  const ended = await db().$transaction(async (tx) => {
    // The conditional update decides, so two revocations at once cannot both succeed.
    const [session] = isUuid(sessionId)
      ? await tx.session.updateManyAndReturn({
          where: { id: sessionId, revokedAt: null, ...mine },
          data: { revokedAt: new Date() },
          select: { id: true, userId: true },
        })
      : [];
    if (!session) throw badInput(`No active session ${actor.isAdmin ? '' : 'of yours '}with id ${sessionId}`, 'id');
    if (session.userId !== actor.id)
      await recordAudit(tx, actor, 'session.revoke', { type: 'Session', id: session.id }, { userId: session.userId });
    return session;
  });
  publishAccessLoss(ended.userId, 'session.revoke');
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
  const session = await findBySecret('session', token, (hash) => db().session.findUnique({ where: { hash }, include: { user: true } }));
  const standing = session ? standingOf(session) : null;
  if (!session || !standing || !('viewer' in standing)) return null;
  await touch(session.lastSeenAt, (now) => db().session.update({ where: { id: session.id }, data: { lastSeenAt: now } }));
  return standing.viewer;
}

export async function endSession(token: string): Promise<void> {
  if (!isWellFormed('ses', token)) return;
  const ended = await db().session.updateManyAndReturn({
    where: { hash: hashSecret(token), revokedAt: null },
    data: { revokedAt: new Date() },
    select: { userId: true },
  });
  for (const { userId } of ended) publishAccessLoss(userId, 'session.end');
}

/** What a request signed in with, by hash: kept by a subscription to check it again later. */
export interface Credential {
  kind: 'session' | 'accessToken';
  hash: string;
}

/**
 * Who a credential still stands for, and until when, or null once it was revoked,
 * expired, or its user deactivated (standingOf), read-only (no touch, no rehash), for a
 * long-lived subscription.
 */
export async function holderOf(credential: Credential): Promise<{ viewer: Viewer; until: Date | null } | null> {
  const select = { revokedAt: true, expiresAt: true, user: true } as const;
  const where = { hash: credential.hash };
  const row =
    credential.kind === 'session' ? await db().session.findUnique({ where, select }) : await db().accessToken.findUnique({ where, select });
  const standing = row ? standingOf(row) : null;
  return row && standing && 'viewer' in standing ? { viewer: standing.viewer, until: row.expiresAt } : null;
}
