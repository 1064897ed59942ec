// UUIDv7 ids for rows written with raw SQL (Prisma fills @default(uuid(7)) itself
// only for its own create calls), so that every id in the database sorts by time.
import { randomBytes } from 'node:crypto';

export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  // 48-bit big-endian Unix milliseconds, then version 7 and the RFC 4122 variant.
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
