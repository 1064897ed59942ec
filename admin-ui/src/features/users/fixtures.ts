// Users as the Users pages select them, for the component tests.
export const ADA_ID = 'VXNlcjoz';
export const GRACE_ID = 'VXNlcjo0';
export const SELF_ID = 'VXNlcjox';

type Overrides = Partial<{
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  active: boolean;
  lastSignInAt: string | null;
  managedClients: { id: string; name: string; active: boolean }[];
  coinPool: { state: 'LIMITED' | 'UNLIMITED' | 'NOT_CONFIGURED'; balance: string | null; capacity: string | null };
  viewerCan: { setAdmin: boolean; setActive: boolean; setCoinPool: boolean; revokeSessions: boolean };
}>;

/** A user with every field the list and the user page ask for (the reply is shaped by the real schema). */
export function userData(overrides: Overrides = {}) {
  return {
    __typename: 'User' as const,
    id: ADA_ID,
    name: 'Ada Lovelace',
    email: 'ada@example.org',
    isAdmin: false,
    active: true,
    lastSignInAt: '2026-07-04T09:30:00Z',
    managedClients: [{ __typename: 'Client', id: 'Q2xpZW50OjE=', name: 'Research Chatbot', active: true }],
    usage: { requests: 12, inputTokens: 1000, outputTokens: 234, totalTokens: 1234, coinsSpent: '0.5' },
    coinPool: { state: 'LIMITED' as const, balance: '40', capacity: '50' },
    coinRefill: null,
    sessions: [],
    accessTokens: [],
    viewerCan: { setAdmin: true, setActive: true, setCoinPool: true, revokeSessions: true },
    ...overrides,
  };
}

export function connection(
  users: ReturnType<typeof userData>[],
  page: { hasNextPage?: boolean; endCursor?: string | null; totalCount?: number } = {},
) {
  return {
    allUsers: {
      totalCount: page.totalCount ?? users.length,
      edges: users.map((node, i) => ({ cursor: `c${i}`, node })),
      pageInfo: { hasNextPage: page.hasNextPage ?? false, hasPreviousPage: false, endCursor: page.endCursor ?? null, startCursor: null },
    },
  };
}
