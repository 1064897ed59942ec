// The client page's data read by hand: a few SQL statements and plain objects, no
// GraphQL. It answers the same two operations the admin UI sends with the same JSON
// (run.ts checks that it is deep-equal to Lumen's answer), so the benchmark's ratio
// is the cost of the GraphQL layer (Yoga, its plugins, Pothos, the Prisma plugin's
// queries) over a straightforward handler on the same database, Prisma client and pool.
//
// It reuses Lumen's token check and its pure rules (access status, model health,
// next refill, coin formatting) so that the two agree by construction; the data
// access itself is written out here.
import { formatPrismaCursor } from '@pothos/plugin-prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { config } from '../../src/config.ts';
import { db } from '../../src/db/current.ts';
import { authenticateAccessToken } from '../../src/domain/auth.ts';
import { nextRefillAt } from '../../src/domain/coinPools.ts';
import { exact, formatCoins } from '../../src/domain/coins.ts';
import { callRefusal, callRefusalReason } from '../../src/domain/callRefusal.ts';
import { accessStatus, type ModelAccessEntry } from '../../src/domain/modelAccess.ts';
import { modelHealth, recentResults } from '../../src/domain/modelHealth.ts';
import { isUuid } from '../../src/domain/input.ts';
import { largestRecentReservations } from '../../src/domain/reservationHistory.ts';
import { ownerScope } from '../../src/domain/rateLimits.ts';
import { currentUse } from '../../src/domain/rateWindows.ts';
import type { Viewer } from '../../src/domain/viewer.ts';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { KEYS_OPERATION, PAGE_OPERATION } from './documents.ts';

export interface PlainAnswer {
  status: number;
  body: unknown;
}

const coins = (text: string | null) => (text === null ? null : formatCoins(exact(text)));
const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** The same rule as domain/permissions.ts: managers may do these, admins everything. */
const MANAGER_ACTIONS = new Set(['createApiKey', 'revokeApiKey', 'grantModelConsent']);

function clientIdOf(globalId: unknown): string | null {
  try {
    const { typename, id } = decodeGlobalID(String(globalId));
    return typename === 'Client' && isUuid(id) ? id : null;
  } catch {
    return null;
  }
}

interface ClientRow {
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  createdAt: Date;
  state: 'UNLIMITED' | 'NOT_CONFIGURED' | 'LIMITED' | null;
  balance: string | null;
  capacity: string | null;
  refillAmount: string | null;
  refillIntervalSeconds: number | null;
  lastRefillAt: Date | null;
  isManager: boolean;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

/** The client with its pool, if the viewer may see it: one statement. */
async function visibleClient(viewer: Viewer, id: string) {
  const [row] = await db().$queryRaw<ClientRow[]>`
    SELECT c."id", c."name", c."description", c."active", c."createdAt",
           p."state"::text AS "state",
           -- A LIMITED pool's balance counts what instances hold leased of it (domain/coinPools.ts readCoinPools).
           (p."balance" + coalesce((SELECT sum(l."amount") FROM "CoinLease" l WHERE l."poolId" = p."id"), 0))::text AS "balance",
           p."capacity"::text AS "capacity",
           p."refillAmount"::text AS "refillAmount", p."refillIntervalSeconds", p."lastRefillAt",
           EXISTS (SELECT 1 FROM "ClientManager" m WHERE m."clientId" = c."id" AND m."userId" = ${viewer.id}::uuid) AS "isManager",
           c."requestsPerMinute", c."tokensPerMinute"
      FROM "Client" c LEFT JOIN "CoinPool" p ON p."clientId" = c."id"
     WHERE c."id" = ${id}::uuid`;
  return row && (viewer.isAdmin || row.isManager) ? row : null;
}

async function clientPage(viewer: Viewer, row: ClientRow) {
  const [managers, [usage], access, health, largest] = await Promise.all([
    db().$queryRaw<{ addedAt: Date; id: string; name: string; email: string }[]>`
      SELECT m."addedAt", u."id", u."name", u."email"
        FROM "ClientManager" m JOIN "User" u ON u."id" = m."userId"
       WHERE m."clientId" = ${row.id}::uuid ORDER BY m."addedAt" ASC`,
    db().$queryRaw<{ requests: number; inputTokens: string; outputTokens: string; coinsSpent: string }[]>`
      SELECT coalesce(sum("requests"), 0)::int AS "requests", coalesce(sum("inputTokens"), 0)::text AS "inputTokens",
             coalesce(sum("outputTokens"), 0)::text AS "outputTokens", coalesce(sum("coinsSpent"), 0)::text AS "coinsSpent"
        FROM "ModelUsage" WHERE "clientId" = ${row.id}::uuid`,
    db().$queryRaw<
      {
        id: string;
        name: string;
        provider: string;
        disabled: boolean;
        inputCoinsPerMillion: string;
        outputCoinsPerMillion: string;
        upstreamKeyEnv: string | null;
        needsConsent: boolean;
        consentNotice: string | null;
        defaultAccess: 'ALLOWED' | 'BLOCKED';
        rule: 'ALLOWED' | 'BLOCKED' | null;
        consented: boolean;
        requests: number | null;
        totalTokens: string | null;
        coinsSpent: string | null;
        lastUsedAt: Date | null;
      }[]
    >`
      SELECT mo."id", mo."name", mo."provider", mo."disabled",
             mo."inputCoinsPerMillion"::text AS "inputCoinsPerMillion", mo."outputCoinsPerMillion"::text AS "outputCoinsPerMillion", mo."upstreamKeyEnv", mo."needsConsent", mo."consentNotice", mo."defaultAccess"::text AS "defaultAccess",
             r."access"::text AS "rule", (mc."id" IS NOT NULL) AS "consented",
             u."requests", (u."inputTokens" + u."outputTokens")::text AS "totalTokens", u."coinsSpent"::text AS "coinsSpent", u."lastUsedAt"
        FROM "Model" mo
        LEFT JOIN "ClientModelAccess" r ON r."modelId" = mo."id" AND r."clientId" = ${row.id}::uuid
        LEFT JOIN "ModelConsent" mc ON mc."modelId" = mo."id" AND mc."clientId" = ${row.id}::uuid
        LEFT JOIN "ModelUsage" u ON u."modelId" = mo."id" AND u."clientId" = ${row.id}::uuid
       ORDER BY mo."name" ASC`,
    recentResults(),
    // A client without a pool row has no reservations to look at (as the API answers).
    row.state === null ? new Map() : largestRecentReservations('clientId', [row.id]),
  ]);
  const pool =
    row.state === null
      ? null
      : {
          state: row.state,
          balance: row.balance,
          refillAmount: row.refillAmount,
          refillIntervalSeconds: row.refillIntervalSeconds,
          lastRefillAt: row.lastRefillAt,
        };
  const now = new Date();
  /** Whether calls are admitted, through Lumen's own rule (domain/callRefusal.ts). */
  const callOf = (m: (typeof access)[number], status: ReturnType<typeof accessStatus>) => {
    const entry = { owner: { clientId: row.id }, model: m, status } as unknown as ModelAccessEntry;
    const refusal = callRefusal(entry, pool as Parameters<typeof callRefusal>[1], now);
    return { callable: refusal === null, refusal, refusalReason: callRefusalReason(entry, refusal) };
  };
  const largestReservation = largest.get(row.id);
  const can = (action: string) => viewer.isAdmin || (row.isManager && MANAGER_ACTIONS.has(action));
  const limited = row.state === 'LIMITED';
  const nextRefill =
    limited && row.refillAmount && row.refillIntervalSeconds
      ? nextRefillAt({ lastRefillAt: row.lastRefillAt, refillIntervalSeconds: row.refillIntervalSeconds })
      : null;
  const clientGid = encodeGlobalID('Client', row.id);
  return {
    // The owner fragments (keys, model access) ask which kind of owner this is.
    __typename: 'Client',
    id: clientGid,
    name: row.name,
    viewerCan: {
      createApiKey: can('createApiKey'),
      revokeApiKey: can('revokeApiKey'),
      grantModelConsent: can('grantModelConsent'),
      setCoinPool: can('setCoinPool'),
      setModelAccess: can('setModelAccess'),
      setActive: can('setActive'),
      manageManagers: can('manageManagers'),
      update: can('update'),
      setRateLimits: can('setRateLimits'),
    },
    // What the window counted, as the GraphQL field reads it (in memory, or Redis when shared).
    rateLimits: await (async () => {
      const use = await currentUse(ownerScope({ clientId: row.id }));
      return { requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute, requests: use.requests, tokens: use.tokens };
    })(),
    description: row.description,
    active: row.active,
    createdAt: iso(row.createdAt),
    usage: {
      requests: usage.requests,
      inputTokens: Number(usage.inputTokens),
      outputTokens: Number(usage.outputTokens),
      totalTokens: Number(usage.inputTokens) + Number(usage.outputTokens),
      coinsSpent: coins(usage.coinsSpent),
    },
    coinPool: {
      state: row.state ?? 'NOT_CONFIGURED',
      balance: limited ? coins(row.balance) : null,
      capacity: limited ? coins(row.capacity) : null,
      largestRecentReservation: largestReservation ? formatCoins(largestReservation) : null,
    },
    coinRefill: nextRefill
      ? { amount: coins(row.refillAmount), intervalSeconds: row.refillIntervalSeconds, nextRefillAt: iso(nextRefill) }
      : null,
    managers: managers.map((m) => ({ addedAt: iso(m.addedAt), user: { id: encodeGlobalID('User', m.id), name: m.name, email: m.email } })),
    modelAccess: access.map((m) => {
      const status = accessStatus(m, m.rule, m.consented);
      return {
        status,
        ...callOf(m, status),
        model: {
          id: encodeGlobalID('Model', m.id),
          name: m.name,
          provider: m.provider,
          disabled: m.disabled,
          status: modelHealth(m, health.get(m.id)).status,
          needsConsent: m.needsConsent,
          consentNotice: m.consentNotice,
          defaultAccess: m.defaultAccess,
        },
        setting: m.rule ?? 'DEFAULT',
        lastUsedAt: iso(m.lastUsedAt),
        usage: { requests: m.requests ?? 0, totalTokens: Number(m.totalTokens ?? 0), coinsSpent: coins(m.coinsSpent ?? '0') },
      };
    }),
  };
}

interface KeysArgs {
  search?: string | null;
  includeRevoked?: boolean | null;
  first?: number | null;
}

async function clientKeys(row: ClientRow, args: KeysArgs) {
  const text = args.search?.trim();
  const pattern = text ? `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = Prisma.sql`"clientId" = ${row.id}::uuid
    ${args.includeRevoked ? Prisma.empty : Prisma.sql`AND "revokedAt" IS NULL`}
    ${pattern ? Prisma.sql`AND ("name" ILIKE ${pattern} OR "hint" ILIKE ${pattern})` : Prisma.empty}`;
  const first = Math.max(0, args.first ?? 100);
  const [keys, [{ count }]] = await Promise.all([
    db().$queryRaw<
      {
        id: string;
        name: string;
        hint: string;
        requests: number;
        totalTokens: string;
        coinsSpent: string;
        lastUsedAt: Date | null;
        createdAt: Date;
        revokedAt: Date | null;
        expiresAt: Date | null;
        requestsPerMinute: number | null;
        tokensPerMinute: number | null;
      }[]
    >`SELECT "id", "name", "hint", "requests", ("inputTokens" + "outputTokens")::text AS "totalTokens", "coinsSpent"::text AS "coinsSpent",
             "lastUsedAt", "createdAt", "revokedAt", "expiresAt", "requestsPerMinute", "tokensPerMinute"
        FROM "ApiKey" WHERE ${where}
       ORDER BY "createdAt" DESC, "id" DESC LIMIT ${first + 1}`,
    db().$queryRaw<{ count: number }[]>`SELECT count(*)::int AS "count" FROM "ApiKey" WHERE ${where}`,
  ]);
  return {
    id: encodeGlobalID('Client', row.id),
    apiKeys: {
      edges: keys.slice(0, first).map((k) => ({
        cursor: formatPrismaCursor(k, 'id'),
        node: {
          id: encodeGlobalID('ApiKey', k.id),
          name: k.name,
          hint: k.hint,
          active: k.revokedAt === null,
          requests: k.requests,
          totalTokens: Number(k.totalTokens),
          coinsSpent: coins(k.coinsSpent),
          lastUsedAt: iso(k.lastUsedAt),
          createdAt: iso(k.createdAt),
          revokedAt: iso(k.revokedAt),
          expiresAt: iso(k.expiresAt),
          rateLimits: { requestsPerMinute: k.requestsPerMinute, tokensPerMinute: k.tokensPerMinute },
        },
      })),
      totalCount: count,
      pageInfo: {
        hasNextPage: keys.length > first,
        endCursor: first > 0 && keys.length > 0 ? formatPrismaCursor(keys[Math.min(first, keys.length) - 1], 'id') : null,
      },
    },
  };
}

const unauthenticated = (message: string): PlainAnswer => ({
  status: 401,
  body: { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
});

/** Answers a request body `{ operationName, variables }` sent with `Authorization: Bearer lat_...`. */
export async function answerPlain(
  body: { operationName?: string; variables?: Record<string, unknown> },
  authorization: string | null,
): Promise<PlainAnswer> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!token) return unauthenticated('Sign in first');
  const check = await authenticateAccessToken(token);
  if ('refused' in check) return unauthenticated(`The admin-API token is refused (${check.refused})`);
  const { viewer } = check;
  const variables = body.variables ?? {};
  if (body.operationName === PAGE_OPERATION) {
    const id = clientIdOf(variables.id);
    const row = id ? await visibleClient(viewer, id) : null;
    return { status: 200, body: { data: { client: row ? await clientPage(viewer, row) : null } } };
  }
  if (body.operationName === KEYS_OPERATION) {
    // The UI asks for any owner's keys through node(id); the benchmark's owner is a client.
    const id = clientIdOf(variables.ownerId);
    const row = id ? await visibleClient(viewer, id) : null;
    return {
      status: 200,
      body: { data: { apiKeyMaxDays: config().apiKeyMaxDays, node: row ? await clientKeys(row, variables as KeysArgs) : null } },
    };
  }
  return { status: 400, body: { errors: [{ message: `unknown operation ${body.operationName}` }] } };
}
