// The `lumen` commands as functions that return the text to print: the command line runs
// them on the database it opens itself (main.ts), and a running server runs the same ones
// for a command line that could not open the embedded database (socketServer.ts).
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { DataFolderInUseError } from '../db/dataFolder.ts';
import { MigrationError } from '../db/migrate.ts';
import { ACCESS_TOKEN_MAX_DAYS, createAccessToken, createLoginLink, listAccessTokens, revokeAccessToken } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';
import { requireWholeNumber } from '../domain/input.ts';
import { unbindOidcIdentity } from '../domain/oidcSignIn.ts';
import { createUser, findUserByEmail } from '../domain/users.ts';
import { globalIdOf, parseGlobalId } from '../schema/globalIds.ts';
import { seedDemo } from './seedDemo.ts';
import { userList } from './userList.ts';

export const HELP = `Usage: npm run lumen -- <command> [options]

Commands:
  migrate                                   apply database migrations
  user add --email E --name N [--admin]     add a user
  user list [--all]                         list active users: email, name, admin, last sign-in;
                                            --all adds deactivated users
  user unlink-oidc --email E                forget the identity-provider account the user is bound to;
                                            their next sign-in with a verified email binds anew
  token create --email E [--name N] [--expires-in-days D]
                                            create an admin-API token (printed on the last line);
                                            without --expires-in-days it never expires
  token list --email E                      list a user's admin-API tokens (not the secrets)
  token revoke --id ID                      revoke an admin-API token at once
  login-link --email E                      print a one-time sign-in link (valid 15 minutes)
  seed --demo                               add demo clients, users, models and usage

With the embedded database, while the server runs, the server runs the command: the command
line sends it through a socket in the data folder that only the user running Lumen can use.
Sign-in links then use the server's LUMEN_PUBLIC_URL (or its PORT).`;

/** What a command needs from whoever runs it. */
export interface CommandContext {
  /** Where sign-in links point: the server's LUMEN_PUBLIC_URL (or http://localhost:PORT). */
  publicUrl: string;
}

type Command = (args: string[], context: CommandContext) => Promise<string>;

/** What running a command line gives: the texts for stdout and stderr, and the exit code. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

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

const lines = (...texts: string[]) => texts.join('\n');

const COMMANDS: Record<string, Command> = {
  // openLumen (or the running server) already applied migrations; say what happened.
  migrate: async () => 'Database is up to date.',
  'user add': async (args) => {
    const o = options(args, { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' } });
    const user = await createUser(null, {
      email: required(o.email, '--email'),
      name: required(o.name, '--name'),
      isAdmin: o.admin ?? false,
    });
    return `Added ${user.isAdmin ? 'admin' : 'user'} ${user.name} <${user.email}>`;
  },
  'user list': async (args) => {
    const o = options(args, { all: { type: 'boolean' } });
    return userList({ includeDeactivated: o.all ?? false });
  },
  'user unlink-oidc': async (args) => {
    const o = options(args, { email: { type: 'string' } });
    const user = await requireUserByEmail(required(o.email, '--email'));
    const unbound = await unbindOidcIdentity(null, user.id);
    return `${unbound.email} is no longer linked to ${user.oidcIssuer}; their next sign-in there binds them again.`;
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
    return lines(
      `Admin-API token "${accessToken.name}" for ${user.email}, ${expiry} (shown once; send it as "Authorization: Bearer <token>"):`,
      token,
    );
  },
  'token list': async (args) => {
    const o = options(args, { email: { type: 'string' } });
    const user = await requireUserByEmail(required(o.email, '--email'));
    const tokens = await listAccessTokens(user.id);
    if (tokens.length === 0) return `${user.email} has no admin-API tokens.`;
    const now = new Date();
    return lines(
      ...tokens.map((t) => {
        const expiry = !t.expiresAt
          ? 'never expires'
          : t.expiresAt <= now
            ? `EXPIRED ${t.expiresAt.toISOString()}`
            : `expires ${t.expiresAt.toISOString()}`;
        const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
        return `${globalIdOf('AccessToken', t.id)}  ${t.hint}  "${t.name}"  created ${t.createdAt.toISOString()}, ${used}, ${expiry}`;
      }),
    );
  },
  'token revoke': async (args) => {
    const o = options(args, { id: { type: 'string' } });
    const given = required(o.id, '--id');
    // The id `token list` prints (a GraphQL global id), or the bare uuid.
    const parsed = parseGlobalId(given);
    const id = parsed?.typename === 'AccessToken' ? parsed.id : given;
    const token = await revokeAccessToken(null, id);
    return `Revoked admin-API token "${token.name}" (${token.hint}); requests with it fail from now on.`;
  },
  'login-link': async (args, context) => {
    const o = options(args, { email: { type: 'string' } });
    const { url, expiresAt } = await createLoginLink(required(o.email, '--email'), context.publicUrl);
    return lines(`Sign-in link (works once, until ${expiresAt.toISOString()}):`, url);
  },
  seed: async (args) => {
    const o = options(args, { demo: { type: 'boolean' } });
    if (!o.demo) throw new DomainError('BAD_USER_INPUT', 'seed needs --demo (the only kind of seed so far)');
    return seedDemo();
  },
};

/** A command line, understood: the command to run and its options, or what to print instead (help, an unknown command). */
export type Parsed = { name: string; run: (context: CommandContext) => Promise<string> } | { result: CommandResult };

export function parseCommandLine(argv: string[]): Parsed {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') return { result: { code: 0, stdout: HELP, stderr: '' } };
  const name = Object.hasOwn(COMMANDS, `${argv[0]} ${argv[1]}`) ? `${argv[0]} ${argv[1]}` : argv[0];
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return { result: { code: 2, stdout: '', stderr: `Unknown command "${argv.slice(0, 2).join(' ')}".\n\n${HELP}` } };
  const rest = argv.slice(name.split(' ').length);
  return { name, run: (context) => command(rest, context) };
}

/** An error a person can act on from its message alone (no stack trace): a mistake in the command or the setup. */
export function isKnownFailure(error: unknown): error is Error {
  return (
    error instanceof DomainError ||
    error instanceof ConfigError ||
    error instanceof DataFolderInUseError ||
    error instanceof MigrationError ||
    Boolean((error as { code?: unknown })?.code?.toString().startsWith('ERR_PARSE_ARGS'))
  );
}

/** Runs a parsed command; a person's mistake becomes `lumen: <message>` and exit code 1, anything else is thrown. */
export async function runParsed(parsed: Parsed, context: CommandContext): Promise<CommandResult> {
  if ('result' in parsed) return parsed.result;
  try {
    return { code: 0, stdout: await parsed.run(context), stderr: '' };
  } catch (error) {
    if (isKnownFailure(error)) return { code: 1, stdout: '', stderr: `lumen: ${error.message}` };
    throw error;
  }
}
