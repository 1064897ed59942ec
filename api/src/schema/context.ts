// What every resolver gets: the viewer (or null), the request's permission cache, and
// the limits the HTTP edge applies (http/context.ts builds it).
import { PermissionCache } from '../domain/permissions.ts';
import type { Viewer } from '../domain/viewer.ts';

export interface Context {
  viewer: Viewer | null;
  permissions: PermissionCache;
  /** The HMAC of the session cookie this request came with, to mark "this device". */
  sessionHash: string | null;
  /** The HMAC of the admin-API token this request came with, to mark "this token"; null for a session. */
  accessTokenHash: string | null;
  /** Counts one API key or admin-API token the viewer creates; throws once they created too many in a short time. */
  countKeyCreation: () => Promise<void>;
}

export function createContext(
  viewer: Viewer | null,
  sessionHash: string | null,
  accessTokenHash: string | null,
  countKeyCreation: () => Promise<void>,
): Context {
  return { viewer, permissions: new PermissionCache(viewer), sessionHash, accessTokenHash, countKeyCreation };
}
