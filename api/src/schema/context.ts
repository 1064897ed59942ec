// What every resolver gets: the viewer (or null) and the request's permission cache.
import { PermissionCache } from '../domain/permissions.ts';
import type { Viewer } from '../domain/viewer.ts';

export interface Context {
  viewer: Viewer | null;
  permissions: PermissionCache;
}

export function createContext(viewer: Viewer | null): Context {
  return { viewer, permissions: new PermissionCache(viewer) };
}
