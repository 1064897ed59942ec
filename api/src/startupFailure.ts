// What a server that cannot start prints before it exits non-zero: for the failures
// an operator can fix, one line that says what to do (the last line on stderr, where
// supervisors and people look); for anything else, the error with its stack.
import { ConfigError, type Config } from './config.ts';
import { DataFolderError, DataFolderInUseError } from './db/dataFolder.ts';
import { MigrationError } from './db/migrate.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { ListenError } from './http/listen.ts';

/** SQLSTATEs PostgreSQL refuses a connection with: bad password, no such role, no such database. */
const REFUSED_CONNECTION = new Set(['28P01', '28000', '3D000']);

/** Where DATABASE_URL points, without its password. */
function databaseAt(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** The line to print, or null when the error is not one an operator can fix from a sentence. */
export function startupFailure(error: unknown, config: Config | null): string | null {
  // These already say what to do (a configuration problem lists every variable at fault).
  if (error instanceof ConfigError || error instanceof DataFolderInUseError) return error.message;
  if (error instanceof ListenError || error instanceof DataFolderError) return oneLine(error.message);
  if (error instanceof MigrationError) return oneLine(`The database refused Lumen's schema: ${error.message}`);
  const code = (error as { code?: unknown })?.code;
  if (config?.databaseUrl && (isDatabaseUnavailable(error) || (typeof code === 'string' && REFUSED_CONNECTION.has(code)))) {
    // Prisma's messages start with where it was called; their last line is the reason.
    const lines = String((error as Error).message)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const reason = (
      typeof code === 'string' && !/^P\d{4}$/.test(code) ? `${code}: ${lines.at(-1) ?? ''}` : (lines.at(-1) ?? String(code))
    ).slice(0, 300);
    return `Lumen could not connect to PostgreSQL at ${databaseAt(config.databaseUrl)} (${reason}); check DATABASE_URL and that the server is running and accepts this user`;
  }
  return null;
}
