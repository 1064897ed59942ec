// What can change for an owner (a client, or a user's personal keys), as the live usage
// subscriptions report it. RESYNC: events may have been missed (Redis was unreachable);
// the figures are current, refetch. KEY_EXPIRING: a key comes within 7 days of its
// expiresAt, and again within 1 day (domain/keyExpiry.ts), once each. BUDGET_LOW: the client's
// LIMITED pool fell below a budget alert threshold (domain/budgetAlertCrossings.ts), once per crossing.
export const CLIENT_CHANGES = [
  'METERED',
  'KEY_CREATED',
  'KEY_REVOKED',
  'KEY_EXPIRING',
  'CONSENT_GRANTED',
  'POOL_CHANGED',
  'ACCESS_CHANGED',
  'REFILLED',
  'RESYNC',
  'BUDGET_LOW',
] as const;
export type ClientChange = (typeof CLIENT_CHANGES)[number];
