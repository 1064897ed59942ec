// `lumen`: the command-line tool (npm run lumen -- <command> from the root).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataFolderInUseError } from '../db/dataFolder.ts';
import { MigrationError, migrate } from '../db/migrate.ts';
import { createAccessToken, createLoginLink } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';
import { createUser, findUserByEmail } from '../domain/users.ts';
import { closeLumen, openLumen } from '../lumen.ts';
import { seedDemo } from './seedDemo.ts';

const HELP = `Usage: npm run lumen -- <command> [options]

Commands:
  migrate                                   apply database migrations
  user add --email E --name N [--admin]     add a user
  token create --email E [--name N]         create an admin-API token (printed on the last line)
  login-link --email E                      print a one-time sign-in link (valid 15 minutes)
  seed --demo                               add demo clients, users, models and usage

With the embedded database, stop the server first: only one process can open the data folder.`;

type Command = (args: string[]) => Promise<void>;

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: T) {
  return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values as {
    [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean;
  };
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new DomainError('BAD_USER_INPUT', `${flag} is required`);
  return value;
}

const commands: Record<string, Command> = {
  migrate: async () => {
    // openLumen already applies migrations; say what happened.
    console.log('Database is up to date.');
  },
  'user add': async (args) => {
    const o = options(args, { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' } });
    const user = await createUser(null, { email: required(o.email, '--email'), name: required(o.name, '--name'), isAdmin: o.admin ?? false });
    console.log(`Added ${user.isAdmin ? 'admin' : 'user'} ${user.name} <${user.email}>`);
  },
  'token create': async (args) => {
    const o = options(args, { email: { type: 'string' }, name: { type: 'string' } });
    const email = required(o.email, '--email');
    const user = await findUserByEmail(email);
    if (!user) throw new DomainError('BAD_USER_INPUT', `No user with the email ${email}`);
    const { token } = await createAccessToken(null, user.id, { name: o.name ?? 'cli' });
    console.log(`Admin-API token for ${user.email} (shown once; send it as "Authorization: Bearer <token>"):`);
    console.log(token);
  },
  'login-link': async (args) => {
    const o = options(args, { email: { type: 'string' } });
    const { url, expiresAt } = await createLoginLink(required(o.email, '--email'), loadConfig().publicUrl);
    console.log(`Sign-in link (works once, until ${expiresAt.toISOString()}):`);
    console.log(url);
  },
  seed: async (args) => {
    const o = options(args, { demo: { type: 'boolean' } });
    if (!o.demo) throw new DomainError('BAD_USER_INPUT', 'seed needs --demo (the only kind of seed so far)');
    console.log(await seedDemo());
  },
};

async function main(argv: string[]) {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    console.log(HELP);
    return 0;
  }
  const name = commands[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0];
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${argv.slice(0, 2).join(' ')}".\n\n${HELP}`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  const config = loadConfig();
  const database = await openLumen(config, { purpose: `lumen ${name}`, migrate: false });
  try {
    const applied = await migrate(database);
    if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
    await command(rest);
  } finally {
    await closeLumen(database);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    const known = error instanceof DomainError || error instanceof ConfigError || error instanceof DataFolderInUseError || error instanceof MigrationError;
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(known || parseError ? `lumen: ${error.message}` : error);
    process.exit(1);
  },
);
