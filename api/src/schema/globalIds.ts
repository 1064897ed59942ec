// Relay global ids (base64 of "Client:<uuid>"): the one place outside the Relay plugin's own
// fields and arguments that makes or reads them (node(id), /v1's hints, the CLI). Written here
// rather than imported from @pothos/plugin-relay, which would load Pothos and graphql into every
// /v1 process; test/globalIdArgs.test.ts checks that both agree.
import { isUuid } from '../domain/input.ts';

const encodeGlobalID = (typename: string, id: string) => Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');

// What the Relay plugin accepts: padded standard base64 of "<GraphQL type name>:<id>".
const BASE64 = /^(?:[\d+/A-Za-z]{4})*(?:[\d+/A-Za-z]{2}==|[\d+/A-Za-z]{3}=)?$/;
const TYPENAME = /^[A-Z_a-z]\w*$/;

function decodeGlobalID(globalId: string): { typename: string; id: string } | null {
  if (!BASE64.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  return colon > 0 && id !== '' && TYPENAME.test(typename) ? { typename, id } : null;
}

export type NodeType = 'Client' | 'User' | 'ApiKey' | 'Model' | 'Session' | 'AccessToken';

export const globalIdOf = (type: NodeType, uuid: string): string => encodeGlobalID(type, uuid);

/** The type name and uuid in a global id, or null when it is not one (bad base64, no type, not a uuid). */
export function parseGlobalId(globalId: string): { typename: string; id: string } | null {
  const decoded = decodeGlobalID(String(globalId));
  return decoded && isUuid(decoded.id) ? decoded : null;
}
