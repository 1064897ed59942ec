// Where a person goes to fix what /v1 or the Model Access table refuses: the page of the
// admin UI that has the control, with its address, so a message can be followed as it is.
// A client's things are on the client's page; a user's personal keys on their Profile page,
// and what only an admin may change for them (their coin pool) on the admin's page for that user.
import { config } from '../config.ts';
import { globalIdOf } from '../schema/globalIds.ts';
import type { Owner } from './owner.ts';

const address = (path: string) => `${config().publicUrl}${path}`;

export const profilePage = () => `your Profile page (${address('/profile')})`;

/** The page of the owner: a client's page, or the admin's page for a user (under Users). */
const ownerPage = (owner: Owner) =>
  owner.clientId
    ? `the client's page (${address(`/clients/${globalIdOf('Client', owner.clientId)}`)})`
    : `your user page, which admins open under Users (${address(`/users/${globalIdOf('User', owner.userId!)}`)})`;

/** A missing or NOT_CONFIGURED pool: only an admin can set one up. */
export function setUpPoolDirections(owner: Owner): string {
  return owner.clientId
    ? `an admin must set one up (LIMITED or UNLIMITED) on ${ownerPage(owner)}.`
    : `ask an admin to set one up (LIMITED or UNLIMITED) on ${ownerPage(owner)}; ${profilePage()} shows your pool.`;
}

/** A model blocked for the owner: a client's rule is set on its page; personal keys follow the model's default. */
export function unblockDirections(owner: Owner): string {
  return owner.clientId
    ? `an admin can allow it in the Model Access table of ${ownerPage(owner)}.`
    : `personal keys follow the model's default access, which an admin can change on the Models page (${address('/models')}).`;
}

/** Consent for a model: a manager on the client's page, or the user on their Profile page (or GraphQL, for scripts). */
export function consentDirections(owner: Owner, ownerName: string, modelGlobalId: string): string {
  return owner.clientId
    ? `A manager of client "${ownerName}" can grant it in the Model Access table on ${ownerPage(owner)}, or with the GraphQL mutation grantModelConsent(input: { clientId: "${globalIdOf('Client', owner.clientId)}", modelId: "${modelGlobalId}" }).`
    : `You can grant it for your personal keys in the Model Access table on ${profilePage()}, or with the GraphQL mutation grantModelConsent(input: { modelId: "${modelGlobalId}" }).`;
}

/** A revoked or expired key cannot come back: a new one is made where keys are listed. */
export function newKeyDirections(owner: Owner): string {
  return owner.clientId ? `create a new one on ${ownerPage(owner)}.` : `create a new personal key on ${profilePage()}.`;
}
