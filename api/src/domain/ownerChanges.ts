// What can change for an owner (a client, or a user's personal keys), as the live usage
// subscriptions report it. RESYNC: events may have been missed (Redis was unreachable);
// the figures are current, refetch.
export const CLIENT_CHANGES = [
  'METERED',
  'KEY_CREATED',
  'KEY_REVOKED',
  'CONSENT_GRANTED',
  'POOL_CHANGED',
  'ACCESS_CHANGED',
  'REFILLED',
  'RESYNC',
] as const;
export type ClientChange = (typeof CLIENT_CHANGES)[number];
