// What every resolver gets: the viewer (or null) and the request's permission cache.
import { PermissionCache } from '../domain/permissions.ts';
import type { Viewer } from '../domain/viewer.ts';

export interface Context {
  viewer: Viewer | null;
  permissions: PermissionCache;
  /** The HMAC of the session cookie this request came with, to mark "this device". */
  sessionHash: string | null;
  /** The HMAC of the admin-API token this request came with, to mark "this token"; null for a session. */
  accessTokenHash: string | null;
}

export function createContext(viewer: Viewer | null, sessionHash: string | null = null, accessTokenHash: string | null = null): Context {
  return { viewer, permissions: new PermissionCache(viewer), sessionHash, accessTokenHash };
}
