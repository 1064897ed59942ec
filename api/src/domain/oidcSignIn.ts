// Signing in someone the institution's identity provider vouched for. A person is
// their identity at the provider, the pair (issuer, sub), which the provider never
// gives to anyone else; an email address can be unverified, or change hands. So the
// email is used once, to find the account an admin added before its owner's first
// sign-in, and only when the provider confirms the address; from then on the user
// is found by (issuer, sub) alone.
import { db } from '../db/current.ts';
import { publishAccessLoss } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { startSession } from './auth.ts';
import { badInput } from './errors.ts';
import { displayName } from './input.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

/** Claims as the provider sent them: nothing is trusted to have a type. */
export interface OidcClaims {
  iss?: unknown;
  sub?: unknown;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  groups?: unknown;
}

/**
 * Why a sign-in is refused: `unverified` when the provider did not confirm the email
 * of someone it has not signed in before, `taken` when that email belongs to a user
 * bound to another identity, `inactive` for a deactivated user.
 */
export type OidcRefusal = 'unverified' | 'taken' | 'inactive';

export interface OidcSignInOptions {
  adminGroup: string | null;
  /** LUMEN_OIDC_TRUST_EMAIL: the provider verifies every email but sends no email_verified claim. */
  trustEmail: boolean;
  userAgent: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * The email the provider vouches for, or null. Only the signed ID token counts:
 * email and email_verified are read together from it, so that a verified flag never
 * applies to an address it was not given for (userinfo cannot grant it).
 */
function verifiedEmail(idToken: OidcClaims, trustEmail: boolean): string | null {
  if (typeof idToken.email !== 'string') return null;
  const email = idToken.email.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return null;
  // A boolean true, not "true": anything else means the provider did not say so.
  if (idToken.email_verified === true) return email;
  // Some providers (Entra ID) verify every address but never say so; the operator vouches
  // for them. A provider that says false is still believed.
  return trustEmail && idToken.email_verified !== false ? email : null;
}

/** The ID token's value, or else userinfo's: userinfo only fills in what the token left out. */
function fillIn(idToken: OidcClaims, userInfo: OidcClaims, key: 'name' | 'groups'): unknown {
  return idToken[key] ?? userInfo[key];
}

/**
 * Finds the user bound to the ID token's (iss, sub); on a first sign-in binds the user
 * with the provider's verified email, or creates them. With an admin group configured,
 * membership decides isAdmin at every sign-in (so removing someone from the group
 * takes their admin rights away).
 */
export async function signInWithOidc(
  claims: { idToken: OidcClaims; userInfo: OidcClaims },
  options: OidcSignInOptions,
): Promise<Awaited<ReturnType<typeof startSession>> | { refused: OidcRefusal }> {
  const { idToken, userInfo } = claims;
  // openid-client has validated both against the discovered issuer; a token without them is a bug.
  if (typeof idToken.iss !== 'string' || typeof idToken.sub !== 'string' || !idToken.sub) throw new Error('The ID token has no iss or sub');
  const identity = { oidcIssuer: idToken.iss, oidcSubject: idToken.sub };
  const email = verifiedEmail(idToken, options.trustEmail);
  const givenName = fillIn(idToken, userInfo, 'name');
  const groupsClaim = fillIn(idToken, userInfo, 'groups');
  const groups = Array.isArray(groupsClaim) ? groupsClaim.map(String) : [];
  const isAdmin = options.adminGroup ? groups.includes(options.adminGroup) : undefined;
  let demoted: string | null = null;
  const attempt = () =>
    db().$transaction(async (tx) => {
      let user = await tx.user.findUnique({ where: { oidcIssuer_oidcSubject: identity } });
      if (user) {
        if (!user.active) return { refused: 'inactive' as const };
        // The address changed at the provider: follow it if confirmed and nobody else has it.
        if (email && email !== user.email && !(await tx.user.findUnique({ where: { email }, select: { id: true } }))) {
          await recordAudit(tx, null, 'user.changeEmail', { type: 'User', id: user.id }, { from: user.email, to: email, via: 'oidc' });
          user = await tx.user.update({ where: { id: user.id }, data: { email } });
        }
      } else {
        if (!email) return { refused: 'unverified' as const };
        const holder = await tx.user.findUnique({ where: { email } });
        const boundHere = holder?.oidcIssuer === identity.oidcIssuer && holder?.oidcSubject === identity.oidcSubject;
        if (holder && boundHere) {
          // A sign-in of the same person in another tab committed between the two look-ups above: it is them.
          if (!holder.active) return { refused: 'inactive' as const };
          user = holder;
        } else if (holder) {
          // Bound to another identity (of this provider or an earlier one): never merged.
          if (holder.oidcSubject !== null || holder.oidcIssuer !== null) return { refused: 'taken' as const };
          if (!holder.active) return { refused: 'inactive' as const };
          // Added by an admin (lumen user add, the first admin) and now claimed by the owner of its verified address.
          user = await tx.user.update({ where: { id: holder.id }, data: identity });
          await recordAudit(
            tx,
            null,
            'user.bindOidc',
            { type: 'User', id: user.id },
            { email, issuer: identity.oidcIssuer, subject: identity.oidcSubject },
          );
        } else {
          // The provider's display name, without what requireName refuses (control and bidi characters).
          const name = (typeof givenName === 'string' && displayName(givenName)) || email.split('@')[0];
          user = await tx.user.create({ data: { email, name, isAdmin: isAdmin ?? false, ...identity } });
          await recordAudit(
            tx,
            null,
            'user.create',
            { type: 'User', id: user.id },
            { email, via: 'oidc', isAdmin: user.isAdmin, issuer: identity.oidcIssuer, subject: identity.oidcSubject },
          );
        }
      }
      if (isAdmin !== undefined && user.isAdmin !== isAdmin) {
        user = await tx.user.update({ where: { id: user.id }, data: { isAdmin } });
        await recordAudit(tx, null, isAdmin ? 'user.grantAdmin' : 'user.revokeAdmin', { type: 'User', id: user.id }, { via: 'oidc group' });
        if (!isAdmin) demoted = user.id;
      }
      return startSession(tx, user.id, options.userAgent);
    });
  let signedIn: Awaited<ReturnType<typeof attempt>>;
  try {
    signedIn = await attempt();
  } catch (error) {
    // Two first sign-ins of one person at once (two tabs): the other one created or bound the
    // user first, and the unique index refused this one. Once more finds them by (iss, sub).
    if ((error as { code?: unknown }).code !== 'P2002') throw error;
    signedIn = await attempt();
  }
  // Their subscriptions to clients they do not manage end (on every instance).
  if (demoted) publishAccessLoss(demoted, 'user.revokeAdmin');
  return signedIn;
}

/**
 * Forgets the identity a user is bound to, for an admin to act on the sign-in page's
 * "linked to a different identity" (an account replaced at the provider, a person who
 * moved institutions). The next sign-in with the provider's verified email binds anew.
 */
export async function unbindOidcIdentity(actor: Viewer | null, userId: string) {
  return db().$transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.oidcIssuer === null && user.oidcSubject === null)
      throw badInput(`${user.email} is not linked to an identity provider's account`, 'userId');
    await recordAudit(tx, actor, 'user.unbindOidc', { type: 'User', id: user.id }, { issuer: user.oidcIssuer, subject: user.oidcSubject });
    return tx.user.update({ where: { id: user.id }, data: { oidcIssuer: null, oidcSubject: null } });
  });
}
