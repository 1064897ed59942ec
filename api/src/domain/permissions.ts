// Who may do what to a client: the one place this rule is written down. The
// GraphQL schema's auth scopes and viewerCan fields both ask here.
import { db } from '../db/current.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Viewer } from './viewer.ts';

export type ClientAction =
  | 'view'
  | 'createApiKey'
  | 'revokeApiKey'
  | 'grantModelConsent'
  | 'manageManagers'
  | 'setActive'
  | 'setCoinPool'
  | 'setRateLimits'
  | 'setBudgetAlerts'
  | 'setModelAccess'
  | 'update';

/** What a manager may do; admins may do everything, anyone else nothing. */
const MANAGER_ACTIONS: ReadonlySet<ClientAction> = new Set([
  'view',
  'createApiKey',
  'revokeApiKey',
  'grantModelConsent',
  'setBudgetAlerts',
]);

/**
 * Remembers manager look-ups for one request, so a page that checks several
 * permissions on the same client (or one per key) asks the database once.
 */
export class PermissionCache {
  private managed = new Map<string, Promise<boolean>>();
  /** The manager answers that have arrived: checks after them answer at once, not with a promise (one per key of a list). */
  private settled = new Map<string, boolean>();
  private existing = new Map<string, Promise<boolean>>();

  constructor(readonly viewer: Viewer | null) {}

  isManager(clientId: string): boolean | Promise<boolean> {
    const viewer = this.viewer;
    if (!viewer) return false;
    const known = this.settled.get(clientId);
    if (known !== undefined) return known;
    return (
      this.managed.get(clientId) ??
      this.remember(
        clientId,
        db()
          .clientManager.findUnique({ where: { clientId_userId: { clientId, userId: viewer.id } }, select: { userId: true } })
          .then((row) => row !== null),
      )
    );
  }

  private remember(clientId: string, answer: Promise<boolean>): Promise<boolean> {
    const settling = answer.then((yes) => {
      this.settled.set(clientId, yes);
      return yes;
    });
    this.managed.set(clientId, settling);
    return settling;
  }

  clientExists(clientId: string): Promise<boolean> {
    let answer = this.existing.get(clientId);
    if (!answer) {
      answer = db()
        .client.findUnique({ where: { id: clientId }, select: { id: true } })
        .then((row) => row !== null);
      this.existing.set(clientId, answer);
    }
    return answer;
  }

  /** Remembers that a client exists (it was just loaded), sparing a look-up. */
  knowClientExists(clientId: string): void {
    this.existing.set(clientId, Promise.resolve(true));
  }

  /**
   * Loads a client only if the viewer may view it (`find` gets the where to load it with): a
   * manager's check rides in the client's own statement instead of one of its own, and what it
   * tells is remembered for the request's later checks.
   */
  async viewableClient<Row>(clientId: string, find: (where: Prisma.ClientWhereUniqueInput) => Promise<Row | null>): Promise<Row | null> {
    const viewer = this.viewer;
    if (!viewer) return null;
    if (viewer.isAdmin || this.managed.has(clientId)) return (await this.can('view', clientId)) ? find({ id: clientId }) : null;
    // Not found: missing, or not managed by the viewer; either way the viewer manages no such client.
    const row = find({ id: clientId, managers: { some: { userId: viewer.id } } });
    await this.remember(
      clientId,
      row.then((found) => found !== null),
    );
    const found = await row;
    if (found) this.knowClientExists(clientId);
    return found;
  }

  /** A boolean when the answer is known already, else a promise of it. */
  can(action: ClientAction, clientId: string): boolean | Promise<boolean> {
    if (!this.viewer) return false;
    if (this.viewer.isAdmin) return true;
    if (!MANAGER_ACTIONS.has(action)) return false;
    return this.isManager(clientId);
  }

  /** Instance-wide actions (create clients and models, search users) are for admins. */
  canAdminister(): boolean {
    return this.viewer?.isAdmin === true;
  }

  /** Personal things (own keys, own consent) belong to their user; admins may act on them too. */
  canActForUser(userId: string): boolean {
    return !!this.viewer && (this.viewer.isAdmin || this.viewer.id === userId);
  }

  /** A key is managed by whoever may create keys for its owner. */
  canManageKey(key: { clientId: string | null; userId: string | null }): boolean | Promise<boolean> {
    if (key.clientId) return this.can('revokeApiKey', key.clientId);
    return key.userId !== null && this.canActForUser(key.userId);
  }
}
