// `lumen`: the command-line tool (npm run lumen -- <command> from the root). It runs the
// command (commands.ts) on the database itself; with the embedded database held by a
// running server, it has that server run it instead (socketClient.ts) and prints the answer.
import { loadConfig, type Config } from '../config.ts';
import { DataFolderInUseError } from '../db/dataFolder.ts';
import { migrate } from '../db/migrate.ts';
import { closeLumen, openLumen } from '../lumen.ts';
import { isKnownFailure, parseCommandLine, runParsed, type CommandResult } from './commands.ts';
import { readServerRecord } from './socket.ts';
import { sendToServer } from './socketClient.ts';

/**
 * Where sign-in links point when the command line runs the command itself: LUMEN_PUBLIC_URL
 * when the operator set it here, else what the last server on this data folder used (its
 * LUMEN_PUBLIC_URL or PORT), else the default, with a warning.
 */
function publicUrlFor(config: Config): { publicUrl: string; warning: string | null } {
  if (process.env.LUMEN_PUBLIC_URL?.trim()) return { publicUrl: config.publicUrl, warning: null };
  const recorded = config.databaseUrl ? null : readServerRecord(config.dataDir)?.publicUrl;
  if (recorded) return { publicUrl: recorded, warning: null };
  return {
    publicUrl: config.publicUrl,
    warning: `lumen: LUMEN_PUBLIC_URL is not set here and no server has run on this data folder yet, so the link points to ${config.publicUrl}; set LUMEN_PUBLIC_URL as the server has it`,
  };
}

async function main(argv: string[]): Promise<CommandResult> {
  const parsed = parseCommandLine(argv);
  if ('result' in parsed) return parsed.result;
  const config = loadConfig();
  let database;
  try {
    database = await openLumen(config, { purpose: `lumen ${parsed.name}`, migrate: false });
  } catch (error) {
    if (!(error instanceof DataFolderInUseError)) throw error;
    const sent = await sendToServer(config.dataDir, argv);
    if ('answer' in sent) return sent.answer;
    throw new DataFolderInUseError(
      `${error.message}\n(A running Lumen server takes commands through a socket instead, but ${sent.notSent}.)`,
    );
  }
  try {
    const applied = await migrate(database);
    const { publicUrl, warning } = publicUrlFor(config);
    const result = await runParsed(parsed, { publicUrl });
    const notes = [applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : null, result.stdout || null];
    const stderr = [result.stderr || null, parsed.name === 'login-link' && result.code === 0 ? warning : null];
    return { code: result.code, stdout: notes.filter(Boolean).join('\n'), stderr: stderr.filter(Boolean).join('\n') };
  } finally {
    await closeLumen(database);
  }
}

main(process.argv.slice(2)).then(
  ({ code, stdout, stderr }) => {
    if (stdout) console.log(stdout);
    if (stderr) console.error(stderr);
    process.exit(code);
  },
  (error) => {
    console.error(isKnownFailure(error) ? `lumen: ${error.message}` : error);
    process.exit(1);
  },
);
