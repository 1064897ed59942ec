// Who may do what to a client: the one place this rule is written down. The
// GraphQL schema's auth scopes and viewerCan fields both ask here.
import { db } from '../db/current.ts';
import type { Viewer } from './viewer.ts';

export type ClientAction =
  | 'view'
  | 'createApiKey'
  | 'revokeApiKey'
  | 'grantModelConsent'
  | 'manageManagers'
  | 'setActive'
  | 'setCoinPool'
  | 'setModelAccess'
  | 'update';

/** What a manager may do; admins may do everything, anyone else nothing. */
const MANAGER_ACTIONS: ReadonlySet<ClientAction> = new Set(['view', 'createApiKey', 'revokeApiKey', 'grantModelConsent']);

/**
 * Remembers manager look-ups for one request, so a page that checks several
 * permissions on the same client (or one per key) asks the database once.
 */
export class PermissionCache {
  private managed = new Map<string, Promise<boolean>>();
  private existing = new Map<string, Promise<boolean>>();

  constructor(readonly viewer: Viewer | null) {}

  isManager(clientId: string): Promise<boolean> {
    const viewer = this.viewer;
    if (!viewer) return Promise.resolve(false);
    let answer = this.managed.get(clientId);
    if (!answer) {
      answer = db()
        .clientManager.findUnique({ where: { clientId_userId: { clientId, userId: viewer.id } }, select: { userId: true } })
        .then((row) => row !== null);
      this.managed.set(clientId, answer);
    }
    return answer;
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

  async can(action: ClientAction, clientId: string): Promise<boolean> {
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
  async canManageKey(key: { clientId: string | null; userId: string | null }): Promise<boolean> {
    if (key.clientId) return this.can('revokeApiKey', key.clientId);
    return key.userId !== null && this.canActForUser(key.userId);
  }
}
