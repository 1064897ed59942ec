// Starts Lumen: configuration, database, migrations, then listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config.ts';
import { DataFolderInUseError } from './db/dataFolder.ts';
import { MigrationError } from './db/migrate.ts';
import { ensureFirstAdmin } from './firstStart.ts';
import { closeLumen, openLumen } from './lumen.ts';
import { connectRedisBus, disconnectBus } from './events/bus.ts';
import { attachWebSocket } from './http/websocket.ts';
import { log } from './log.ts';
import { yoga } from './yoga.ts';

async function main() {
  const config = loadConfig();
  const database = await openLumen(config, { purpose: 'lumen server' });
  const link = await ensureFirstAdmin(config.adminEmail, config.publicUrl);
  if (link) {
    console.log(`\nFirst start: created the admin ${config.adminEmail}. Sign in within 15 minutes at:\n\n  ${link}\n`);
  }
  if (config.redisUrl) await connectRedisBus(config.redisUrl);
  const server = createServer(yoga);
  const closeWebSocket = attachWebSocket(server, yoga);
  server.listen(config.port, () => {
    const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    const { port } = server.address() as AddressInfo;
    // For people and for scripts (which read the port from it; PORT=0 picks a free one), so not a log entry.
    console.log(`Lumen is listening on port ${port} (${where}); open ${config.publicUrl}, GraphQL at /graphql`);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.close(() => {
      closeLumen(database)
        .then(() => disconnectBus())
        .then(() => process.exit(0), () => process.exit(1));
    });
    void closeWebSocket();
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof DataFolderInUseError || error instanceof MigrationError) {
    console.error(error.message);
  } else {
    console.error('Lumen could not start:', error);
  }
  process.exit(1);
});
