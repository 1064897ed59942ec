// Whether an error means "the database cannot be reached right now" (an outage, a
// restart, a failover) rather than "this query is wrong". Such a request is answered
// 503 with a retry hint, never 500, and a settlement that meets it is retried later.
// The errors arrive in several shapes: Prisma's (through the pg driver adapter), the
// pg pool's own, PostgreSQL's SQLSTATEs and Node's socket errors.

/** Prisma's codes for "can't reach", "timed out reaching", "server closed the connection", "no pooled connection in time". */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** What @prisma/adapter-pg reports a socket failure as (meta.driverAdapterError.cause.kind). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors of a connection that failed or dropped. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * PostgreSQL SQLSTATEs of a server going away or not accepting yet: admin_shutdown,
 * crash_shutdown, cannot_connect_now, too_many_connections; class 08 is "connection exception".
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** The pg pool's and client's messages, which come without a code. */
const PG_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection terminated',
];

function matches(error: Record<string, unknown>): boolean {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  const meta = error.meta as { driverAdapterError?: { cause?: { kind?: string; code?: string } } } | undefined;
  const cause =
    meta?.driverAdapterError?.cause ??
    (error.name === 'DriverAdapterError' ? (error.cause as { kind?: string; code?: string }) : undefined);
  if (cause?.kind && ADAPTER_KINDS.has(cause.kind)) return true;
  if (cause?.kind === 'postgres' && cause.code && (SQLSTATES.has(cause.code) || /^08/.test(cause.code))) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return PG_MESSAGES.some((m) => message.startsWith(m));
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // Follow the cause chain (wrapped errors, AggregateError of a multi-address connect).
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    if (matches(next as Record<string, unknown>)) return true;
    queue.push((next as { cause?: unknown }).cause);
    if (next instanceof AggregateError) queue.push(...next.errors);
  }
  return false;
}

/** How long a caller is told to wait before retrying while the database is unreachable (retry-after). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
