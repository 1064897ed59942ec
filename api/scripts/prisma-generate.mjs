// Runs `prisma generate` offline. The Prisma CLI insists on locating its native
// schema engine even though generate never uses it; any existing executable
// satisfies the check, so we point it at this very Node binary.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', '../prisma/schema.prisma'], {
  stdio: 'inherit',
  env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', ...process.env },
});
process.exit(result.status ?? 1);
