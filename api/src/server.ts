// Starts Lumen: configuration, database, migrations, then listens. On SIGTERM it
// stops accepting, lets admitted /v1 requests finish and record their usage,
// closes subscriptions, then exits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config.ts';
import { DataFolderInUseError } from './db/dataFolder.ts';
import { MigrationError } from './db/migrate.ts';
import { startSweeper } from './domain/sweeper.ts';
import { connectRedisBus, disconnectBus } from './events/bus.ts';
import { ensureFirstAdmin } from './firstStart.ts';
import { Redis } from 'ioredis';
import { useRedisRateLimits } from './http/rateLimits.ts';
import { attachWebSocket } from './http/websocket.ts';
import { log } from './log.ts';
import { closeLumen, openLumen } from './lumen.ts';
import { drain } from './v1/inFlight.ts';
import { app, yoga } from './yoga.ts';

async function main() {
  const config = loadConfig();
  const database = await openLumen(config, { purpose: 'lumen server' });
  const link = await ensureFirstAdmin(config.adminEmail, config.publicUrl);
  if (link) {
    // For the operator, once: the way in to a new instance. It works once, for 15 minutes.
    console.log(`\nFirst start: created the admin ${config.adminEmail}. Sign in within 15 minutes at:\n\n  ${link}\n`);
  }
  let rateLimitRedis: Redis | null = null;
  if (config.redisUrl) {
    await connectRedisBus(config.redisUrl);
    // Rate limits are shared by all instances, or a client could multiply them by the instance count.
    rateLimitRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
    useRedisRateLimits(rateLimitRedis);
  }
  const stopSweeper = startSweeper({ onError: (error) => log.error({ err: error }, 'coin pool upkeep failed') });
  const server = createServer(app);
  const closeWebSocket = attachWebSocket(server, yoga);
  server.listen(config.port, config.host, () => {
    const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    const { port } = server.address() as AddressInfo;
    // For people and for scripts (which read the port from it; PORT=0 picks a free one), so not a log entry.
    console.log(`Lumen is listening on port ${port} (${where}); open ${config.publicUrl}, GraphQL at /graphql`);
  });

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
    const drained = await drain(config.shutdownTimeoutMs);
    if (!drained.finished) log.warn({ left: drained.left }, 'some /v1 requests were still running at the shutdown timeout');
    stopSweeper();
    await closeWebSocket();
    // What is left open now are subscriptions (SSE) and idle keep-alive connections.
    server.closeAllConnections();
    await closeLumen(database);
    await disconnectBus();
    await rateLimitRedis?.quit().catch(() => undefined);
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DataFolderInUseError || error instanceof MigrationError) {
    console.error(error.message);
  } else {
    console.error('Lumen could not start:', error);
  }
  process.exit(1);
});
