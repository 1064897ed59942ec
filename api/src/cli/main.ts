// `lumen`: the command-line tool (npm run lumen -- <command> from the root).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataFolderInUseError } from '../db/dataFolder.ts';
import { MigrationError, migrate } from '../db/migrate.ts';
import { ACCESS_TOKEN_MAX_DAYS, createAccessToken, createLoginLink, listAccessTokens, revokeAccessToken } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';
import { requireWholeNumber } from '../domain/input.ts';
import { unbindOidcIdentity } from '../domain/oidcSignIn.ts';
import { createUser, findUserByEmail } from '../domain/users.ts';
import { closeLumen, openLumen } from '../lumen.ts';
import { globalIdOf, parseGlobalId } from '../schema/globalIds.ts';
import { seedDemo } from './seedDemo.ts';

const HELP = `Usage: npm run lumen -- <command> [options]

Commands:
  migrate                                   apply database migrations
  user add --email E --name N [--admin]     add a user
  user unlink-oidc --email E                forget the identity-provider account the user is bound to;
                                            their next sign-in with a verified email binds anew
  token create --email E [--name N] [--expires-in-days D]
                                            create an admin-API token (printed on the last line);
                                            without --expires-in-days it never expires
  token list --email E                      list a user's admin-API tokens (not the secrets)
  token revoke --id ID                      revoke an admin-API token at once
  login-link --email E                      print a one-time sign-in link (valid 15 minutes)
  seed --demo                               add demo clients, users, models and usage

With the embedded database, stop the server first: only one process can open the data folder.`;

type Command = (args: string[]) => Promise<void>;

function options<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: T) {
  return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values as {
    [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean;
  };
}

const DAY_MS = 24 * 3600 * 1000;

async function requireUserByEmail(email: string) {
  const user = await findUserByEmail(email);
  if (!user)
    throw new DomainError('BAD_USER_INPUT', `No user with the email ${email}; add one with: lumen user add --email ${email} --name "..."`);
  return user;
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
    const user = await createUser(null, {
      email: required(o.email, '--email'),
      name: required(o.name, '--name'),
      isAdmin: o.admin ?? false,
    });
    console.log(`Added ${user.isAdmin ? 'admin' : 'user'} ${user.name} <${user.email}>`);
  },
  'user unlink-oidc': async (args) => {
    const o = options(args, { email: { type: 'string' } });
    const user = await requireUserByEmail(required(o.email, '--email'));
    const unbound = await unbindOidcIdentity(null, user.id);
    console.log(`${unbound.email} is no longer linked to ${user.oidcIssuer}; their next sign-in there binds them again.`);
  },
  'token create': async (args) => {
    const o = options(args, { email: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' } });
    const user = await requireUserByEmail(required(o.email, '--email'));
    const days = o['expires-in-days'];
    const expiresAt =
      days === undefined
        ? null
        : new Date(Date.now() + requireWholeNumber(Number(days), '--expires-in-days', 1, ACCESS_TOKEN_MAX_DAYS) * DAY_MS);
    const { token, accessToken } = await createAccessToken(null, user.id, { name: o.name ?? 'cli', expiresAt });
    const expiry = accessToken.expiresAt ? `expires ${accessToken.expiresAt.toISOString()}` : 'never expires';
    console.log(
      `Admin-API token "${accessToken.name}" for ${user.email}, ${expiry} (shown once; send it as "Authorization: Bearer <token>"):`,
    );
    console.log(token);
  },
  'token list': async (args) => {
    const o = options(args, { email: { type: 'string' } });
    const user = await requireUserByEmail(required(o.email, '--email'));
    const tokens = await listAccessTokens(user.id);
    if (tokens.length === 0) return console.log(`${user.email} has no admin-API tokens.`);
    const now = new Date();
    for (const t of tokens) {
      const expiry = !t.expiresAt
        ? 'never expires'
        : t.expiresAt <= now
          ? `EXPIRED ${t.expiresAt.toISOString()}`
          : `expires ${t.expiresAt.toISOString()}`;
      const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
      console.log(`${globalIdOf('AccessToken', t.id)}  ${t.hint}  "${t.name}"  created ${t.createdAt.toISOString()}, ${used}, ${expiry}`);
    }
  },
  'token revoke': async (args) => {
    const o = options(args, { id: { type: 'string' } });
    const given = required(o.id, '--id');
    // The id `token list` prints (a GraphQL global id), or the bare uuid.
    const parsed = parseGlobalId(given);
    const id = parsed?.typename === 'AccessToken' ? parsed.id : given;
    const token = await revokeAccessToken(null, id);
    console.log(`Revoked admin-API token "${token.name}" (${token.hint}); requests with it fail from now on.`);
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
    const known =
      error instanceof DomainError ||
      error instanceof ConfigError ||
      error instanceof DataFolderInUseError ||
      error instanceof MigrationError;
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(known || parseError ? `lumen: ${error.message}` : error);
    process.exit(1);
  },
);
