// API keys (sk_), admin-API tokens (lat_), session and sign-in tokens. Secrets are
// random, carry a checksum so that a mistyped or forged one is refused without a
// database look-up, and are stored only as an HMAC keyed with the server secret.
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

export type SecretKind = 'sk' | 'lat' | 'ses' | 'lnk';

const BODY_BYTES = 32;
const BODY_LENGTH = 43; // base64url of 32 bytes, unpadded
const CHECKSUM_LENGTH = 6;
const PATTERN = /^(sk|lat|ses|lnk)_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{6})$/;

let serverSecret: Buffer | null = null;
let previousSecrets: Buffer[] = [];

/**
 * Set once at start from LUMEN_SECRET (or the data folder's dev secret), and the
 * secrets it replaced (LUMEN_SECRET_PREVIOUS): hashes made with those are still
 * recognised, and moved to the current secret on first use.
 */
export function setServerSecret(secret: string, previous: string[] = []): void {
  serverSecret = Buffer.from(secret, 'utf8');
  previousSecrets = previous.map((p) => Buffer.from(p, 'utf8'));
}

/** The hashes this secret had under the previous server secrets (empty when none are configured). */
export function previousHashes(secret: string): string[] {
  return previousSecrets.map((key) => createHmac('sha256', key).update(secret).digest('hex'));
}

// One-shot hash: checked on every /v1 request, and a Hash object per call costs more than the digest.
function checksum(kind: SecretKind, body: string): string {
  return hash('sha256', `${kind}_${body}`, 'base64url').slice(0, CHECKSUM_LENGTH);
}

export function generateSecret(kind: SecretKind): string {
  const body = randomBytes(BODY_BYTES).toString('base64url');
  if (body.length !== BODY_LENGTH) throw new Error('unexpected body length');
  return `${kind}_${body}${checksum(kind, body)}`;
}

/** True when the string has the shape and checksum of a secret of this kind. No I/O. */
export function isWellFormed(kind: SecretKind, secret: string): boolean {
  const match = PATTERN.exec(secret);
  if (!match || match[1] !== kind) return false;
  const expected = Buffer.from(checksum(kind, match[2]));
  const given = Buffer.from(match[3]);
  return timingSafeEqual(expected, given);
}

export function hashSecret(secret: string): string {
  if (!serverSecret) throw new Error('The server secret is not set');
  return createHmac('sha256', serverSecret).update(secret).digest('hex');
}

/** First 4 and last 4 characters, for recognising a key without revealing it. */
export function hintOf(secret: string): string {
  return `${secret.slice(0, 4)}...${secret.slice(-4)}`;
}
