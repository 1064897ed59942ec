// GET /export/usage.csv?owner=&from=&to=&bucket=&groupBy=&timeZone=: a client's or a user's
// usage series as CSV, for people's own accounting. The same points and permissions as
// usageSeries in GraphQL.
//
// A download link cannot send the anti-CSRF header, so this GET accepts the session cookie
// alone: it changes nothing, and it sends no CORS headers, so a page on another site can
// start a download but never read it. Names are chosen by managers, so a cell that a
// spreadsheet would run as a formula is prefixed with ' (OWASP's CSV injection advice).
import { stringify } from 'csv-stringify/sync';
import { authenticateSession } from '../domain/auth.ts';
import { badInput, DomainError } from '../domain/errors.ts';
import type { Owner } from '../domain/owner.ts';
import { PermissionCache } from '../domain/permissions.ts';
import { usageSeriesSlices, type SeriesQuery, type UsageBucket, type UsageGroup, type UsagePoint } from '../domain/usageSeries.ts';
import type { Viewer } from '../domain/viewer.ts';
import { db } from '../db/current.ts';
import { parseGlobalId } from '../schema/globalIds.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { CredentialsError, viewerOf } from './viewer.ts';

export const USAGE_EXPORT_PATH = '/export/usage.csv';

const BUCKETS: readonly UsageBucket[] = ['HOUR', 'DAY', 'WEEK'];
const OWNER_GROUPS: readonly UsageGroup[] = ['MODEL', 'API_KEY'];

const text = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });

/** A bearer token (lat_...) as everywhere, or the session cookie without the CSRF header (see above). */
async function exportViewer(request: Request): Promise<Viewer | null> {
  if (request.headers.get('authorization')) return viewerOf(request);
  const session = readCookie(request, SESSION_COOKIE);
  return session ? authenticateSession(session) : null;
}

/** The owner named by `owner`, if the viewer may read its usage (as GraphQL's usageSeries). */
async function readableOwner(viewer: Viewer, globalId: string): Promise<{ owner: Owner; name: string } | null> {
  const decoded = parseGlobalId(globalId);
  const permissions = new PermissionCache(viewer);
  if (decoded?.typename === 'Client') {
    if (!(await permissions.can('view', decoded.id))) return null;
    const client = await db().client.findUnique({ where: { id: decoded.id }, select: { name: true } });
    return client ? { owner: { clientId: decoded.id }, name: client.name } : null;
  }
  if (decoded?.typename === 'User') {
    if (!permissions.canActForUser(decoded.id)) return null;
    const user = await db().user.findUnique({ where: { id: decoded.id }, select: { name: true } });
    return user ? { owner: { userId: decoded.id }, name: user.name } : null;
  }
  return null;
}

function parseQuery(params: URLSearchParams): SeriesQuery {
  const date = (name: string) => {
    const value = params.get(name);
    const parsed = value ? new Date(value) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      throw badInput(`${name} must be an ISO 8601 date-time such as 2026-11-01T00:00:00Z`, name);
    }
    return parsed;
  };
  const bucket = (params.get('bucket') ?? 'DAY') as UsageBucket;
  if (!BUCKETS.includes(bucket)) throw badInput(`bucket must be one of ${BUCKETS.join(', ')}`, 'bucket');
  const groupBy = (params.get('groupBy') || null) as UsageGroup | null;
  if (groupBy !== null && !OWNER_GROUPS.includes(groupBy)) {
    throw badInput(`groupBy must be one of ${OWNER_GROUPS.join(', ')}, or omitted`, 'groupBy');
  }
  return { from: date('from'), to: date('to'), bucket, groupBy, timeZone: params.get('timeZone') || null };
}

/** A cell a spreadsheet would evaluate (=, +, -, @, or a tab or carriage return first) is made plain text. */
export function plainCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Names of the groups of a series, loaded once for the whole export. */
async function groupNames(groupBy: UsageGroup | null, ids: string[]): Promise<Map<string, string>> {
  if (!groupBy || ids.length === 0) return new Map();
  const where = { where: { id: { in: ids } }, select: { id: true, name: true } };
  const rows = groupBy === 'MODEL' ? await db().model.findMany(where) : await db().apiKey.findMany(where);
  return new Map(rows.map((row) => [row.id, row.name]));
}

const GROUP_COLUMN: Record<UsageGroup, string> = { MODEL: 'model', API_KEY: 'api_key', CLIENT: 'client' };

export async function handleUsageExport(request: Request, url: URL): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Use GET to download usage as CSV', { allow: 'GET, HEAD' });
  let viewer: Viewer | null;
  try {
    viewer = await exportViewer(request);
  } catch (error) {
    if (error instanceof CredentialsError) return text(401, error.message);
    throw error;
  }
  if (!viewer) return text(401, 'Sign in, or send an admin-API token as "Authorization: Bearer lat_..."');

  let query: SeriesQuery;
  let slices: AsyncGenerator<UsagePoint[]>;
  let first: IteratorResult<UsagePoint[]>;
  const ownerId = url.searchParams.get('owner') ?? '';
  const found = await readableOwner(viewer, ownerId);
  if (!found)
    return text(
      404,
      `No client or user with the id "${ownerId.slice(0, 80)}" whose usage you may read (owner must be a Client or User id)`,
    );
  try {
    query = parseQuery(url.searchParams);
    slices = usageSeriesSlices(found.owner, query);
    // The first slice runs every check, so that a bad range is a 400 rather than a broken download.
    first = await slices.next();
  } catch (error) {
    if (error instanceof DomainError) return text(400, error.message);
    throw error;
  }

  const groupBy = query.groupBy ?? null;
  const header = [
    'start',
    ...(groupBy ? [GROUP_COLUMN[groupBy], `${GROUP_COLUMN[groupBy]}_id`] : []),
    'requests',
    'input_tokens',
    'output_tokens',
    'total_tokens',
    'coins_spent',
  ];
  let names: Map<string, string> | null = null;
  const lines = async (points: UsagePoint[]) => {
    names ??= await groupNames(groupBy, [...new Set(points.map((p) => p.groupId).filter((id): id is string => id !== null))]);
    return stringify(
      points.map((p) => [
        p.start.toISOString(),
        ...(groupBy ? [plainCell(p.other ? 'other' : (names!.get(p.groupId ?? '') ?? '')), p.groupId ?? ''] : []),
        String(p.requests),
        p.inputTokens.toString(),
        p.outputTokens.toString(),
        (p.inputTokens + p.outputTokens).toString(),
        p.coinsSpent.toFixed(),
      ]),
      { record_delimiter: '\r\n' },
    );
  };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(stringify([header], { record_delimiter: '\r\n' })));
      if (!first.done) controller.enqueue(encoder.encode(await lines(first.value)));
    },
    // One slice per pull: the stream asks for more only as the client reads, so memory stays flat.
    async pull(controller) {
      const next = await slices.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(await lines(next.value)));
    },
    async cancel() {
      await slices.return(undefined);
    },
  });
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const filename = `usage-${found.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}-${day(query.from)}-${day(query.to)}.csv`;
  return new Response(request.method === 'HEAD' ? null : body, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
