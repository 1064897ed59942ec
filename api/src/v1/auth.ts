// Who is calling /v1: the API key from the Authorization header. A malformed key
// is refused on its checksum alone, before any database access; a well-formed
// one is looked up by its HMAC through the per-process cache.
import { newKeyDirections } from '../domain/directions.ts';
import type { KeyAccess } from '../domain/keyAccess.ts';
import { findBySecret } from '../domain/rehash.ts';
import { hashSecret, isWellFormed } from '../domain/secrets.ts';
import { V1Error } from './errors.ts';
import type { V1Request } from './exchange.ts';
import { keyAccess } from './keyCache.ts';

const unauthorized = (code: string, message: string) => new V1Error(401, 'invalid_request_error', code, message);

export function secretOf(request: V1Request): string {
  const header = request.header('authorization');
  if (!header)
    throw unauthorized(
      'missing_api_key',
      "No API key was sent. Pass it as 'Authorization: Bearer sk_...' (the OpenAI SDKs do this with api_key=...).",
    );
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('invalid_api_key', "The Authorization header must be 'Bearer sk_...'.");
  return match[1];
}

/** The caller's key and its hash (computed once: /v1 uses it again to look up a model created since). */
export async function authenticate(request: V1Request): Promise<{ access: KeyAccess; keyHash: string }> {
  const secret = secretOf(request);
  if (!isWellFormed('sk', secret)) {
    throw unauthorized(
      'invalid_api_key',
      `The API key is malformed: Lumen keys look like sk_ followed by 49 letters, digits, - or _, and this one's checksum does not match. Check that it was copied completely.`,
    );
  }
  // A key made before LUMEN_SECRET was rotated is found under an old hash, once.
  const keyHash = hashSecret(secret);
  const access = await findBySecret('apiKey', secret, keyAccess, keyHash);
  if (!access)
    throw unauthorized('invalid_api_key', `The API key ${secret.slice(0, 4)}...${secret.slice(-4)} is not known to this Lumen instance.`);
  if (access.revokedAt) {
    throw unauthorized(
      'revoked_api_key',
      `The API key ${access.hint} was revoked on ${access.revokedAt.toISOString()}; ${newKeyDirections(access.owner)}`,
    );
  }
  // Checked against the clock on every request: the key cache keeps expiresAt, not a verdict.
  if (access.expiresAt && access.expiresAt.getTime() <= Date.now()) {
    throw unauthorized(
      'expired_api_key',
      `The API key ${access.hint} expired on ${access.expiresAt.toISOString()}; ${newKeyDirections(access.owner)}`,
    );
  }
  if (!access.ownerActive) {
    throw access.ownerKind === 'client'
      ? new V1Error(
          403,
          'permission_error',
          'client_deactivated',
          `The client "${access.ownerName}" that owns this key is deactivated; an admin can reactivate it.`,
        )
      : new V1Error(
          403,
          'permission_error',
          'user_deactivated',
          `The user "${access.ownerName}" who owns this personal key is deactivated; an admin can reactivate them.`,
        );
  }
  return { access, keyHash };
}
