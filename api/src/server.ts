// Starts Lumen: configuration, database, migrations, then listens. On SIGTERM it
// stops accepting, lets admitted /v1 requests finish and record their usage,
// closes subscriptions, then exits.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliSocket } from './cli/socketServer.ts';
import { loadConfig, type Config } from './config.ts';
import { returnAllLeases } from './domain/leases.ts';
import { shareRateWindows, stopSharingRateWindows } from './domain/rateWindows.ts';
import { unsettledCount } from './domain/settlementQueue.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { spendingChecked } from './domain/budgetAlertCrossings.ts';
import { startBudgetAlertDelivery } from './domain/budgetAlertDelivery.ts';
import { startExpiryNotices } from './domain/keyExpiry.ts';
import { startSweeper } from './domain/sweeper.ts';
import { startUsageRetention } from './domain/usageRetention.ts';
import { connectRedisBus, disconnectBus } from './events/bus.ts';
import { ensureFirstAdmin } from './firstStart.ts';
import { listen } from './http/listen.ts';
import { isProbe, serveProbe } from './http/probes.ts';
import { SECURITY_HEADERS } from './http/securityHeaders.ts';
import { attachWebSocketOnFirstUse } from './http/lazyWebSocket.ts';
import { log } from './log.ts';
import { closeLumen, openLumen } from './lumen.ts';
import { startupFailure } from './startupFailure.ts';
import { drain } from './v1/inFlight.ts';
import { isV1Path, serveV1 } from './v1/nodeRoute.ts';

let startedWith: Config | null = null;

// The admin API (GraphQL, sign-in, the UI's files) is loaded on its first request: an instance
// that only serves /v1 and its probes never holds the schema, Yoga and their caches (about
// 30 MB at start, 10 to 20 MB more after load; api/bench/results.md).
let adminApi: Promise<typeof import('./yoga.ts')> | null = null;
const loadAdminApi = () => (adminApi ??= import('./yoga.ts'));

function serveAdminApi(req: IncomingMessage, res: ServerResponse) {
  loadAdminApi().then(
    ({ app }) => app(req, res),
    (error: unknown) => {
      adminApi = null;
      log.error({ err: error }, 'the admin API could not be loaded');
      res.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Lumen failed to load its admin API; see its log.');
    },
  );
}

async function main() {
  const config = loadConfig();
  startedWith = config;
  const database = await openLumen(config, { purpose: 'lumen server' });
  const link = await ensureFirstAdmin(config.adminEmail, config.publicUrl);
  if (link) {
    // For the operator, once: the way in to a new instance. It works once, for 15 minutes.
    console.log(`\nFirst start: created the admin ${config.adminEmail}. Sign in within 15 minutes at:\n\n  ${link}\n`);
  }
  if (config.redisUrl) {
    // Both start even if Redis is down now, and reconnect by themselves (events/redis.ts).
    await connectRedisBus(config.redisUrl);
    // Rate limits are shared by all instances, or a client could multiply them by the instance count.
    // Loaded here rather than at the top: without Redis, only the admin API (loaded on its first
    // request) uses these limits, and an idle /v1 instance need not hold rate-limiter-flexible.
    await (await import('./http/rateLimits.ts')).useRedisRateLimits(config.redisUrl);
    // So are /v1's limits per key, client and user, borrowed from Redis in slices (domain/rateWindows.ts).
    await shareRateWindows(config.redisUrl);
  }
  // /v1 and the probes go straight to their own node:http routes; everything else to the GraphQL server's adapter.
  const server = createServer((req, res) => {
    if (isV1Path(req.url)) void serveV1(req, res);
    else if (isProbe(req.method, req.url)) void serveProbe(req, res);
    else serveAdminApi(req, res);
  });
  const closeWebSocket = attachWebSocketOnFirstUse(server, async () => (await loadAdminApi()).yoga);
  // A port in use (or any listen error) ends the start here; see main's catch.
  await listen(server, config.port, config.host);
  // Once listening, an error of the server (a failed accept) is worth a log line, not the process.
  server.on('error', (error) => log.error({ err: error }, 'the HTTP server reported an error'));
  let lastOutageWarning = 0;
  const stopSweeper = startSweeper({
    onError: (error) => {
      // Every sweep fails while the database is unreachable: say so once a minute, not every 5 s.
      if (!isDatabaseUnavailable(error)) return log.error({ err: error }, 'coin pool upkeep failed');
      if (Date.now() - lastOutageWarning < 60_000) return;
      lastOutageWarning = Date.now();
      log.warn('coin pool upkeep is waiting for the database, which is unreachable');
    },
  });
  // KEY_EXPIRING notices, 7 days and 1 day before a key expires; each claimed in the database by one instance.
  const stopExpiryNotices = startExpiryNotices({
    onError: (error) => {
      if (!isDatabaseUnavailable(error)) log.error({ err: error }, 'API key expiry notices failed');
    },
  });
  // Budget alert webhooks: due deliveries every few seconds, and at once after a crossing here; each claimed by one instance.
  const stopBudgetAlerts = startBudgetAlertDelivery({
    onError: (error) => {
      if (!isDatabaseUnavailable(error)) log.error({ err: error }, 'budget alert delivery failed');
    },
  });
  // Raw usage records past LUMEN_USAGE_RECORD_RETENTION_DAYS; rollups and totals are kept.
  const stopUsageRetention = config.usageRecordRetentionDays
    ? startUsageRetention(config.usageRecordRetentionDays, {
        onError: (error) => {
          if (!isDatabaseUnavailable(error)) log.error({ err: error }, 'usage record retention failed');
        },
      })
    : () => {};
  const { port } = server.address() as AddressInfo;
  // With PORT=0 (a free port chosen by the system) and no LUMEN_PUBLIC_URL, the default names port 0.
  const publicUrl = config.publicUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.publicUrl;
  // The command line cannot open the embedded database while this process holds it: it sends its commands here.
  let cliSocket: CliSocket | null = null;
  if (database.kind === 'pglite') {
    try {
      // Loaded only for the embedded database: the command handlers (and the domain modules they
      // bring) are not held by a PostgreSQL instance, where `lumen` opens the database itself.
      cliSocket = await (await import('./cli/socketServer.ts')).openCliSocket(config.dataDir, publicUrl);
    } catch (error) {
      log.warn({ err: error }, 'the command socket could not be opened: `lumen` commands need the server stopped');
    }
  }
  const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  // For people and for scripts (which read the port from it; PORT=0 picks a free one), so not a log entry.
  console.log(`Lumen is listening on port ${port} (${where}); open ${publicUrl}, GraphQL at /graphql`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing admitted requests');
    const force = setTimeout(() => {
      log.error('did not stop in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    force.unref();
    server.close();
    server.closeIdleConnections();
    // Commands already sent finish before the database closes; new ones find no socket.
    await cliSocket?.close();
    const drained = await drain(config.shutdownTimeoutMs);
    if (!drained.finished) log.warn({ left: drained.left }, 'some /v1 requests were still running at the shutdown timeout');
    // Answered requests whose usage the database could not take yet (domain/settlements.ts).
    const unsettled = unsettledCount();
    if (unsettled > 0) {
      log.error(
        { unsettled },
        'the database was still unreachable at the shutdown timeout: these answered requests go unbilled, and their reserved coins are given back by a sweeper in 2 minutes',
      );
    }
    stopSweeper();
    stopExpiryNotices();
    stopUsageRetention();
    await stopBudgetAlerts();
    // The last settlements' budget alert checks run on the database, which closes below.
    await spendingChecked();
    // What this instance holds of LIMITED pools goes back to them now rather than after 2 minutes.
    await returnAllLeases().catch((error) => log.warn({ err: error }, 'coin leases could not be given back; a sweeper will'));
    await closeWebSocket();
    // What is left open now are subscriptions (SSE) and idle keep-alive connections.
    server.closeAllConnections();
    await closeLumen(database);
    await disconnectBus();
    // Only where useRedisRateLimits ran (with Redis): otherwise nothing was opened to close.
    if (config.redisUrl) await (await import('./http/rateLimits.ts')).stopRedisRateLimits();
    await stopSharingRateWindows();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  const line = startupFailure(error, startedWith);
  if (line) console.error(line);
  else console.error('Lumen could not start:', error);
  process.exit(1);
});
