// Secrets Lumen must use in clear later (a webhook's signing secret, the HMAC key its
// signatures are made with), unlike API keys, which are only compared and so stored as
// hashes. They are stored encrypted with AES-256-GCM, under a key derived from the server
// secret (LUMEN_SECRET) for this one purpose: a copy of the database alone does not reveal
// them. During a rotation of LUMEN_SECRET, what was sealed under a previous secret still opens
// (LUMEN_SECRET_PREVIOUS), and the caller is told so that it can seal it again.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hashSecret, previousHashes } from './secrets.ts';

const PURPOSE = 'lumen sealed secrets v1';
const VERSION = 'v1';

// The server secret's HMAC of a fixed label: a key of its own, never used to hash anything else.
const currentKey = () => Buffer.from(hashSecret(PURPOSE), 'hex');
const previousKeys = () => previousHashes(PURPOSE).map((hex) => Buffer.from(hex, 'hex'));

/** "v1.<iv>.<tag>.<ciphertext>", base64url. */
export function seal(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', currentKey(), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

function openWith(key: Buffer, iv: Buffer, tag: Buffer, sealed: Buffer): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** The secret, and whether it was sealed under a previous server secret; null when no known secret opens it. */
export function unseal(text: string): { secret: string; stale: boolean } | null {
  const [version, iv, tag, sealed] = text.split('.');
  if (version !== VERSION || !iv || !tag || sealed === undefined) return null;
  const parts = [iv, tag, sealed].map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  const current = openWith(currentKey(), ...parts);
  if (current !== null) return { secret: current, stale: false };
  for (const key of previousKeys()) {
    const old = openWith(key, ...parts);
    if (old !== null) return { secret: old, stale: true };
  }
  return null;
}
