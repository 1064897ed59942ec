// Relay global ids (base64 of "Client:<uuid>"): the one place outside the Relay plugin's own
// fields and arguments that makes or reads them (node(id), /v1's hints, the CLI).
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { isUuid } from '../domain/input.ts';

export type NodeType = 'Client' | 'User' | 'ApiKey' | 'Model' | 'Session' | 'AccessToken';

export const globalIdOf = (type: NodeType, uuid: string): string => encodeGlobalID(type, uuid);

/** The type name and uuid in a global id, or null when it is not one (bad base64, no type, not a uuid). */
export function parseGlobalId(globalId: string): { typename: string; id: string } | null {
  try {
    const decoded = decodeGlobalID(String(globalId));
    return isUuid(decoded.id) ? decoded : null;
  } catch {
    return null;
  }
}
