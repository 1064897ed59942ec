// Typed fixtures. Each fragment's data is checked against the codegen types of that
// fragment (makeFragmentData), so a schema change that breaks a component breaks these too.
import { makeFragmentData } from '../gql';
import { ApiKeysSection_UsageOwnerFragment } from '../features/apiKeys/ApiKeysSection';
import { ApiKeysTable_ApiKeyFragment } from '../features/apiKeys/ApiKeysTable';
import { ClientHeader_ClientFragment } from '../features/client/ClientHeader';
import { CoinPoolSettings_UsageOwnerFragment } from '../features/client/CoinPoolSettings';
import { ManagersSection_ClientFragment } from '../features/client/ManagersSection';
import { UsageCards_UsageOwnerFragment } from '../features/client/UsageCards';
import { ModelAccessTable_ModelAccessFragment, ModelAccessTable_UsageOwnerFragment } from '../features/models/ModelAccessTable';
import type { ResultOf } from '../lib/types';

type ApiKeyData = ResultOf<typeof ApiKeysTable_ApiKeyFragment>;
type ModelAccessData = ResultOf<typeof ModelAccessTable_ModelAccessFragment>;
type UsageCardsData = ResultOf<typeof UsageCards_UsageOwnerFragment>;
type ManagersData = ResultOf<typeof ManagersSection_ClientFragment>;
type HeaderData = ResultOf<typeof ClientHeader_ClientFragment>;

export const CLIENT_ID = 'Q2xpZW50OjAxOTM=';
export const VIEWER_ID = 'VXNlcjox';

/** An owner as the owner fragments select it: the client example-bot, or the viewer. */
function ownerOf(kind: 'client' | 'viewer') {
  return kind === 'client' ? { __typename: 'Client' as const, id: CLIENT_ID } : { __typename: 'User' as const, id: VIEWER_ID };
}

export function apiKeysOwner(kind: 'client' | 'viewer' = 'client') {
  return makeFragmentData(ownerOf(kind), ApiKeysSection_UsageOwnerFragment);
}

export function modelAccessOwner(rows: ReturnType<typeof modelAccess>[], kind: 'client' | 'viewer' = 'client') {
  return makeFragmentData({ ...ownerOf(kind), modelAccess: rows }, ModelAccessTable_UsageOwnerFragment);
}

export function apiKey(overrides: Partial<ApiKeyData> = {}) {
  return makeFragmentData(apiKeyData(overrides), ApiKeysTable_ApiKeyFragment);
}

export function apiKeyData(overrides: Partial<ApiKeyData> = {}): ApiKeyData {
  return {
    id: 'QXBpS2V5OjE=',
    name: 'production',
    hint: 'sk_A...9xQz',
    active: true,
    requests: 505,
    totalTokens: 1126939,
    coinsSpent: '1.35',
    lastUsedAt: '2026-07-04T14:13:00Z',
    createdAt: '2026-07-01T10:00:00Z',
    revokedAt: null,
    expiresAt: null,
    rateLimits: { requestsPerMinute: null, tokensPerMinute: null },
    ...overrides,
  };
}

export function modelAccessData(
  overrides: Partial<Omit<ModelAccessData, 'model'>> & { model?: Partial<ModelAccessData['model']> } = {},
): ModelAccessData {
  const { model, ...rest } = overrides;
  return {
    status: 'ALLOWED',
    setting: 'DEFAULT',
    callable: true,
    refusal: null,
    refusalReason: null,
    lastUsedAt: '2026-07-04T14:04:00Z',
    usage: { requests: 75, totalTokens: 164551, coinsSpent: '0.2' },
    ...rest,
    model: {
      id: 'TW9kZWw6MQ==',
      name: 'mistral-7b-instruct',
      provider: 'vllm',
      disabled: false,
      status: 'OK',
      needsConsent: false,
      consentNotice: null,
      defaultAccess: 'ALLOWED',
      ...model,
    },
  };
}

export function modelAccess(overrides: Parameters<typeof modelAccessData>[0] = {}) {
  return makeFragmentData(modelAccessData(overrides), ModelAccessTable_ModelAccessFragment);
}

/** Everything the client page selects, as one plain object. */
export function clientData(options: { admin?: boolean } & Partial<UsageCardsData & ManagersData & HeaderData> = {}) {
  const { admin = false, ...overrides } = options;
  return {
    id: CLIENT_ID,
    name: 'example-bot',
    active: true,
    createdAt: '2026-07-04T14:52:00Z',
    description: null as string | null,
    usage: { requests: 505, inputTokens: 1000000, outputTokens: 126939, totalTokens: 1126939, coinsSpent: '1.35' },
    coinPool: { state: 'LIMITED' as const, balance: '75', capacity: '100', largestRecentReservation: '0.5' as string | null },
    coinRefill: { amount: '50', intervalSeconds: 3600, nextRefillAt: new Date(Date.now() + 30 * 60_000).toISOString() },
    managers: [{ addedAt: '2026-07-01T10:00:00Z', user: { id: 'VXNlcjoy', name: 'Maria Manager', email: 'maria@example.org' } }],
    viewerCan: {
      createApiKey: true,
      revokeApiKey: true,
      grantModelConsent: true,
      manageManagers: admin,
      setActive: admin,
      setCoinPool: admin,
      setModelAccess: admin,
      setRateLimits: admin,
      update: admin,
    },
    rateLimits: { requestsPerMinute: 600 as number | null, tokensPerMinute: null as number | null, requests: 12, tokens: 3456 },
    ...overrides,
  };
}

export function usageCards(overrides: Partial<UsageCardsData> = {}) {
  return makeFragmentData({ ...clientData(), ...overrides }, UsageCards_UsageOwnerFragment);
}

export function managersSection(options: Parameters<typeof clientData>[0] = {}) {
  return makeFragmentData(clientData(options), ManagersSection_ClientFragment);
}

export function clientHeader(options: Parameters<typeof clientData>[0] = {}) {
  return makeFragmentData(clientData(options), ClientHeader_ClientFragment);
}

export function coinPoolSettings(options: Parameters<typeof clientData>[0] = {}) {
  return makeFragmentData({ __typename: 'Client' as const, ...clientData(options) }, CoinPoolSettings_UsageOwnerFragment);
}
