// Notices of API keys about to expire: a KEY_EXPIRING change for the key's owner when the key
// comes within 7 days of its expiresAt, and again within 1 day. Every instance runs the job;
// each notice is claimed in the database by setting its column (weekNoticeAt, dayNoticeAt)
// only while it is still null, in the same statement that finds the key, so exactly one
// instance publishes it, and the event bus takes it to every instance's subscribers.
// Revoked and already expired keys get none.
import { db } from '../db/current.ts';
import { publishOwnerChange } from '../events/bus.ts';
import { runPeriodically, type PeriodicOptions } from './periodic.ts';

const DAY_MS = 24 * 3600 * 1000;

/** The notices, each with the column that records it was sent: a key within `days` of its expiry gets it. */
const NOTICES = [
  { days: 7, column: 'weekNoticeAt' },
  { days: 1, column: 'dayNoticeAt' },
] as const;

/**
 * Claims and publishes the notices due at `now`; returns how many this call published. The
 * windows do not overlap (within 7 days but more than 1; within 1 day), so a key first seen
 * within a day of its expiry gets the 1-day notice only.
 */
export async function sendExpiryNotices(now = new Date()): Promise<number> {
  let sent = 0;
  for (const [i, notice] of NOTICES.entries()) {
    const later = NOTICES[i + 1];
    const after = new Date(now.getTime() + (later ? later.days * DAY_MS : 0));
    // One UPDATE ... RETURNING: another instance's concurrent claim makes the row fail the
    // "still null" condition here, so it is returned to one of them only.
    const claimed = await db().apiKey.updateManyAndReturn({
      where: {
        revokedAt: null,
        [notice.column]: null,
        expiresAt: { gt: after, lte: new Date(now.getTime() + notice.days * DAY_MS) },
      },
      data: { [notice.column]: now },
      select: { id: true, clientId: true, userId: true },
    });
    for (const key of claimed) {
      publishOwnerChange({ change: 'KEY_EXPIRING', clientId: key.clientId, userId: key.userId, apiKeyId: key.id, modelId: null });
    }
    sent += claimed.length;
  }
  return sent;
}

/** Runs the job now and then every `everyMs` (default a minute); returns a function that stops it. */
export function startExpiryNotices(options: PeriodicOptions = {}): () => void {
  return runPeriodically(
    () => sendExpiryNotices(),
    options.everyMs ?? 60_000,
    options.onError ?? ((error) => console.error('API key expiry notices failed:', error)),
  );
}
