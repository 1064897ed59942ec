// Usage over time: `usageSeries` on owners (clients and users), keys and models, and the
// instance's for admins. The rules and the SQL: domain/usageSeries.ts. Permissions are those of
// the totals beside them: an owner's series is guarded like its `usage`, a key's like the key;
// a model's and the instance's show every client's spend, so they are for admins only.
import { db } from '../db/current.ts';
import { badInput } from '../domain/errors.ts';
import type { UsageTotals } from '../domain/usage.ts';
import {
  checkSeriesQuery,
  topUsage,
  usageSeries,
  type SeriesQuery,
  type SeriesScope,
  type UsageGroup,
  type UsagePoint,
} from '../domain/usageSeries.ts';
import type { ApiKey, Client, Model } from '../generated/prisma/client.ts';
import { ApiKeyRef } from './apiKey.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { ModelRef } from './model.ts';
import { toInt, UsageRef } from './usage.ts';
import { ownerDataScope, ownerOf, UsageOwnerRef } from './usageOwner.ts';

export const UsageBucketEnum = builder.enumType('UsageBucket', {
  values: {
    HOUR: { description: "An hour; with a timeZone, from the zone's hour (zones such as +05:30 have their own)." },
    DAY: { description: 'A day: midnight to midnight in timeZone (UTC without one), 23 or 25 hours across a daylight-saving change.' },
    WEEK: { description: 'An ISO week, from Monday 00:00 in timeZone (UTC without one).' },
  },
});

export const UsageGroupEnum = builder.enumType('UsageGroup', {
  values: {
    MODEL: { description: 'One series per model.' },
    API_KEY: { description: 'One series per API key.' },
    CLIENT: { description: "One series per client; personal keys' usage is one series whose client is null." },
  },
});

/** A point, with its group's row loaded once for the whole series. */
interface SeriesPoint extends UsagePoint {
  groupBy: UsageGroup | null;
  row: Model | ApiKey | Client | null;
}

const groupRow = (groupBy: UsageGroup) => (p: SeriesPoint) => (p.groupBy === groupBy ? p.row : null);

export const UsagePointRef = builder.objectRef<SeriesPoint>('UsagePoint').implement({
  description: 'Usage in one bucket (and one group, when grouped). Empty buckets are points with zeros.',
  fields: (t) => ({
    start: t.field({
      type: 'DateTime',
      description: "The bucket's first instant; it lasts until the next point's start.",
      resolve: (p) => p.start,
    }),
    model: t.field({
      type: ModelRef,
      nullable: true,
      description: 'Grouped by MODEL: the model.',
      resolve: (p) => groupRow('MODEL')(p) as Model | null,
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      nullable: true,
      description: 'Grouped by API_KEY: the key.',
      resolve: (p) => groupRow('API_KEY')(p) as ApiKey | null,
    }),
    client: t.field({
      type: ClientRef,
      nullable: true,
      description: "Grouped by CLIENT: the client; null for personal keys' usage.",
      resolve: (p) => groupRow('CLIENT')(p) as Client | null,
    }),
    other: t.boolean({ description: 'The sum of the groups beyond the top 20 of the range.', resolve: (p) => p.other }),
    requests: t.int({ resolve: (p) => p.requests }),
    inputTokens: t.int({ resolve: (p) => toInt(p.inputTokens) }),
    outputTokens: t.int({ resolve: (p) => toInt(p.outputTokens) }),
    totalTokens: t.int({ resolve: (p) => toInt(p.inputTokens + p.outputTokens) }),
    coinsSpent: t.field({ type: 'Coins', resolve: (p) => p.coinsSpent }),
  }),
});

/** The points with their groups' rows: one statement for all the groups of the series. */
async function seriesWithRows(scope: SeriesScope, query: SeriesQuery): Promise<SeriesPoint[]> {
  const points = await usageSeries(scope, query);
  const groupBy = query.groupBy ?? null;
  const ids = [...new Set(points.map((p) => p.groupId).filter((id): id is string => id !== null))];
  const rows = new Map<string, Model | ApiKey | Client>();
  if (groupBy && ids.length > 0) {
    const where = { where: { id: { in: ids } } };
    const found: (Model | ApiKey | Client)[] =
      groupBy === 'MODEL'
        ? await db().model.findMany(where)
        : groupBy === 'API_KEY'
          ? await db().apiKey.findMany(where)
          : await db().client.findMany(where);
    for (const row of found) rows.set(row.id, row);
  }
  return points.map((p) => ({ ...p, groupBy, row: p.groupId ? (rows.get(p.groupId) ?? null) : null }));
}

const seriesArgs = builder.args((t) => ({
  from: t.field({ type: 'DateTime', required: true, description: 'Inclusive; rounded down to a bucket bound.' }),
  to: t.field({ type: 'DateTime', required: true, description: 'Exclusive; rounded up to a bucket bound.' }),
  bucket: t.field({ type: UsageBucketEnum, required: true }),
  groupBy: t.field({ type: UsageGroupEnum, description: 'Omitted: one point per bucket.' }),
  timeZone: t.string({ description: 'An IANA time zone name such as "Europe/Berlin" for the bucket bounds; omitted: UTC.' }),
}));

const seriesDescription =
  'Usage per bucket in [from, to), with every bucket present (zeros included). At most 5,000 points (buckets × groups); groups beyond the top 20 of the range are summed into one point per bucket with other: true. Summed over a range that covers all usage, the points equal `usage` exactly.';

builder.interfaceField(UsageOwnerRef, 'usageSeries', (t) =>
  t.field({
    type: [UsagePointRef],
    description: `${seriesDescription} Groups: MODEL or API_KEY.`,
    authScopes: ownerDataScope,
    args: seriesArgs,
    resolve: (row, args, _ctx, info) => seriesWithRows(ownerOf(row, info), args),
  }),
);

builder.objectField(ApiKeyRef, 'usageSeries', (t) =>
  t.field({
    type: [UsagePointRef],
    description: `${seriesDescription} Groups: MODEL.`,
    args: seriesArgs,
    resolve: (key, args) => seriesWithRows({ apiKeyId: key.id }, args),
  }),
);

builder.objectField(ModelRef, 'usageSeries', (t) =>
  t.field({
    type: [UsagePointRef],
    description: `Admin only: every client's use of the model. ${seriesDescription} Groups: CLIENT or API_KEY.`,
    authScopes: { admin: true },
    args: seriesArgs,
    resolve: (model, args) => seriesWithRows({ modelId: model.id }, args),
  }),
);

interface Ranked<Row> {
  row: Row;
  usage: UsageTotals;
}

const ClientUsageTotalRef = builder.objectRef<Ranked<Client>>('ClientUsageTotal').implement({
  fields: (t) => ({
    client: t.field({ type: ClientRef, resolve: (r) => r.row }),
    usage: t.field({ type: UsageRef, resolve: (r) => r.usage }),
  }),
});

const ModelUsageTotalRef = builder.objectRef<Ranked<Model>>('ModelUsageTotal').implement({
  fields: (t) => ({
    model: t.field({ type: ModelRef, resolve: (r) => r.row }),
    usage: t.field({ type: UsageRef, resolve: (r) => r.usage }),
  }),
});

/** Top clients or models of the range, with their rows in one statement. */
async function ranked<Row extends { id: string }>(
  by: 'clientId' | 'modelId',
  query: SeriesQuery,
  first: number,
  load: (ids: string[]) => Promise<Row[]>,
): Promise<Ranked<Row>[]> {
  const totals = await topUsage(by, query, first);
  const rows = new Map((await load(totals.map((t) => t.id))).map((row) => [row.id, row]));
  return totals.flatMap((usage) => {
    const row = rows.get(usage.id);
    return row ? [{ row, usage }] : [];
  });
}

const MAX_TOP = 100;

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_TOP) {
    throw badInput(`first must be between 1 and ${MAX_TOP} (got ${first})`, 'first');
  }
  return first;
}

const InstanceUsageRef = builder.objectRef<SeriesQuery>('InstanceUsage').implement({
  description: 'The whole instance over a range: points and the largest spenders.',
  fields: (t) => ({
    points: t.field({ type: [UsagePointRef], resolve: (query) => seriesWithRows({ instance: true }, query) }),
    topClients: t.field({
      type: [ClientUsageTotalRef],
      args: { first: t.arg.int({ required: true, defaultValue: 10, description: `How many, largest spend first; at most ${MAX_TOP}.` }) },
      resolve: (query, { first }) =>
        ranked('clientId', query, checkFirst(first), (ids) => db().client.findMany({ where: { id: { in: ids } } })),
    }),
    topModels: t.field({
      type: [ModelUsageTotalRef],
      args: { first: t.arg.int({ required: true, defaultValue: 10, description: `How many, largest spend first; at most ${MAX_TOP}.` }) },
      resolve: (query, { first }) =>
        ranked('modelId', query, checkFirst(first), (ids) => db().model.findMany({ where: { id: { in: ids } } })),
    }),
  }),
});

builder.queryField('instanceUsage', (t) =>
  t.field({
    type: InstanceUsageRef,
    description: `Admin only: the whole instance's usage. ${seriesDescription} Groups: MODEL, API_KEY or CLIENT.`,
    authScopes: { admin: true },
    args: seriesArgs,
    resolve: (_root, args) => {
      // Checked here, so that a bad range is one error on the field rather than one per subfield.
      checkSeriesQuery({ instance: true }, args);
      return args;
    },
  }),
);
