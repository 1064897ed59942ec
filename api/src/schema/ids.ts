// Relay global ids ("Client:<uuid>", base64) in and out of the schema.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from '../domain/errors.ts';
import { isUuid } from '../domain/input.ts';

export type NodeType = 'Client' | 'User' | 'ApiKey' | 'Model' | 'Session' | 'AccessToken';

/** The uuid inside a global id of this type, or null when it is not one. */
export function idOf(type: NodeType, globalId: string): string | null {
  try {
    const { typename, id } = decodeGlobalID(String(globalId));
    return typename === type && isUuid(id) ? id : null;
  } catch {
    return null;
  }
}

/** Like idOf, but a wrong id is the caller's mistake, reported as BAD_USER_INPUT. */
export function requireIdOf(type: NodeType, globalId: string, field: string): string {
  const id = idOf(type, globalId);
  if (!id) throw badInput(`${field} is not the id of a ${type}: "${String(globalId).slice(0, 100)}"`, field);
  return id;
}

export const clientIdFromArg = (globalId: string) => idOf('Client', globalId);
