// Reads and checks Lumen's configuration from the environment once, so that a
// typo fails at start with a message that names the variable, not later.
import path from 'node:path';

/** pino's levels, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  /** The address to listen on (HOST); all interfaces when unset. */
  host: string | undefined;
  dataDir: string;
  /** A postgres:// URL, or null for the embedded PGlite database in dataDir. */
  databaseUrl: string | null;
  /** LUMEN_SECRET when set; otherwise null and the data folder's dev secret is used. */
  secret: string | null;
  /** Secrets LUMEN_SECRET replaced (LUMEN_SECRET_PREVIOUS, comma-separated), still accepted during a rotation. */
  previousSecrets: string[];
  adminEmail: string;
  /** The URL people reach Lumen at, for sign-in links; defaults to http://localhost:PORT. */
  publicUrl: string;
  redisUrl: string | null;
  /** How long a stopping server waits for admitted /v1 requests (LUMEN_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Whether GraphQL introspection is allowed in production (always on elsewhere). */
  introspection: boolean;
  /** LUMEN_GRAPHIQL: true or false when set; null (unset) means on in development only (http/graphiql.ts). */
  graphiql: boolean | null;
  /** Other origins whose pages may call Lumen with the session cookie (LUMEN_CORS_ORIGINS); none by default. */
  corsOrigins: string[];
  /** How many reverse proxies in front of Lumen append to X-Forwarded-For (LUMEN_TRUST_PROXY); 0 = none, trust no header. */
  trustProxy: number;
  /** With LUMEN_METRICS_TOKEN set, /metrics answers only `Authorization: Bearer <it>`; null: open. */
  metricsToken: string | null;
  /** PostgreSQL connections per instance (LUMEN_DB_POOL_SIZE). */
  dbPoolSize: number;
  /** LUMEN_LOG_LEVEL; by default info, and silent under test (set LUMEN_LOG_LEVEL to see a test's logs). */
  logLevel: LogLevel;
  /** The longest wait for an upstream model's answer, and between two streamed chunks (LUMEN_UPSTREAM_TIMEOUT_MS). */
  upstreamTimeoutMs: number;
  /** LUMEN_API_KEY_MAX_DAYS: the longest lifetime of a new API key, and its default; null (unset): keys may never expire. */
  apiKeyMaxDays: number | null;
  /** LUMEN_USAGE_RECORD_RETENTION_DAYS: raw usage records older than this are deleted (rollups and totals stay); null (unset): kept forever. */
  usageRecordRetentionDays: number | null;
  /**
   * LUMEN_ALLOW_HTTP_WEBHOOKS: budget alert webhooks may use http in production, and may point at
   * private, loopback and link-local addresses (domain/webhookAddress.ts); off by default.
   */
  allowHttpWebhooks: boolean;
  /** OpenID Connect sign-in, when LUMEN_OIDC_ISSUER is set. */
  oidc: {
    issuer: string;
    clientId: string;
    clientSecret: string;
    label: string;
    adminGroup: string | null;
    /** LUMEN_OIDC_TRUST_EMAIL: the provider verifies every email itself but sends no email_verified claim (Entra ID). */
    trustEmail: boolean;
  } | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535 (got "${env.PORT}")`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL; leave it unset to use the embedded database');
  }
  const secret = env.LUMEN_SECRET?.trim() || null;
  if (secret && secret.length < 32) {
    problems.push('LUMEN_SECRET must be at least 32 characters long (try: openssl rand -base64 48)');
  }
  if (!secret && nodeEnv === 'production') {
    problems.push('LUMEN_SECRET is required in production: it keys the hashes of every API key and token');
  }
  const previousSecrets = (env.LUMEN_SECRET_PREVIOUS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (previousSecrets.length > 0 && !secret) problems.push('LUMEN_SECRET_PREVIOUS needs LUMEN_SECRET: the new secret that replaces them');
  const adminEmail = (env.LUMEN_ADMIN_EMAIL ?? 'admin@localhost').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problems.push(`LUMEN_ADMIN_EMAIL is not an email address: "${adminEmail}"`);
  const publicUrl = (env.LUMEN_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    problems.push(`LUMEN_PUBLIC_URL is not a URL: "${publicUrl}"`);
  }
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  const upstreamTimeoutText = env.LUMEN_UPSTREAM_TIMEOUT_MS?.trim() || '300000';
  const upstreamTimeoutMs = Number(upstreamTimeoutText);
  if (!/^\d+$/.test(upstreamTimeoutText) || upstreamTimeoutMs < 1 || upstreamTimeoutMs > 3_600_000) {
    problems.push(`LUMEN_UPSTREAM_TIMEOUT_MS must be a whole number of milliseconds from 1 to 3600000 (got "${upstreamTimeoutText}")`);
  }
  // A typo here used to become NaN, which pg quietly replaced by its default of 10.
  const dbPoolSizeText = env.LUMEN_DB_POOL_SIZE?.trim() || '10';
  const dbPoolSize = Number(dbPoolSizeText);
  if (!/^\d+$/.test(dbPoolSizeText) || dbPoolSize < 1 || dbPoolSize > 1000) {
    problems.push(`LUMEN_DB_POOL_SIZE must be a whole number of connections from 1 to 1000 (got "${env.LUMEN_DB_POOL_SIZE}")`);
  }
  const apiKeyMaxDaysText = env.LUMEN_API_KEY_MAX_DAYS?.trim() || null;
  const apiKeyMaxDays = apiKeyMaxDaysText === null ? null : Number(apiKeyMaxDaysText);
  if (apiKeyMaxDaysText !== null && (!/^\d+$/.test(apiKeyMaxDaysText) || apiKeyMaxDays! < 1 || apiKeyMaxDays! > 36_500)) {
    problems.push(
      `LUMEN_API_KEY_MAX_DAYS must be a whole number of days from 1 to 36500, or unset for keys that may never expire (got "${apiKeyMaxDaysText}")`,
    );
  }
  const retentionText = env.LUMEN_USAGE_RECORD_RETENTION_DAYS?.trim() || null;
  const usageRecordRetentionDays = retentionText === null ? null : Number(retentionText);
  if (retentionText !== null && (!/^\d+$/.test(retentionText) || usageRecordRetentionDays! < 1 || usageRecordRetentionDays! > 36_500)) {
    problems.push(
      `LUMEN_USAGE_RECORD_RETENTION_DAYS must be a whole number of days from 1 to 36500, or unset to keep usage records forever (got "${retentionText}")`,
    );
  }
  const logLevel = env.LUMEN_LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LUMEN_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  // Lets webhooks reach the internal network: only an exact "true" turns it on.
  const allowHttpWebhooksText = env.LUMEN_ALLOW_HTTP_WEBHOOKS?.trim();
  if (allowHttpWebhooksText && allowHttpWebhooksText !== 'true' && allowHttpWebhooksText !== 'false') {
    problems.push(`LUMEN_ALLOW_HTTP_WEBHOOKS must be true or false (got "${allowHttpWebhooksText}")`);
  }
  const metricsToken = env.LUMEN_METRICS_TOKEN?.trim() || null;
  // Compared with what a client sends in a header, which can only carry visible ASCII and spaces.
  if (metricsToken && !/^[\x20-\x7e]+$/.test(metricsToken)) {
    problems.push('LUMEN_METRICS_TOKEN must be printable ASCII (it travels in an Authorization header), such as: openssl rand -hex 32');
  }
  const shutdownTimeoutMs = Number(env.LUMEN_SHUTDOWN_TIMEOUT_MS ?? 30_000);
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0 || shutdownTimeoutMs > 3_600_000) {
    problems.push(
      `LUMEN_SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds up to 3600000 (got "${env.LUMEN_SHUTDOWN_TIMEOUT_MS}")`,
    );
  }
  // Trusting unverified emails lets anyone sign in as anyone: only an exact "true" turns it on.
  const trustEmail = env.LUMEN_OIDC_TRUST_EMAIL?.trim();
  if (trustEmail && trustEmail !== 'true' && trustEmail !== 'false') {
    problems.push(`LUMEN_OIDC_TRUST_EMAIL must be true or false (got "${trustEmail}")`);
  }
  // GraphiQL reads the schema by introspection: on without it, it would show a blank, broken page.
  const graphiqlText = env.LUMEN_GRAPHIQL?.trim();
  if (graphiqlText && graphiqlText !== 'true' && graphiqlText !== 'false') {
    problems.push(`LUMEN_GRAPHIQL must be true or false (got "${graphiqlText}")`);
  }
  const graphiql = graphiqlText === 'true' ? true : graphiqlText === 'false' ? false : null;
  const introspection = env.LUMEN_GRAPHQL_INTROSPECTION === 'true';
  if (graphiql && nodeEnv === 'production' && !introspection) {
    problems.push(
      'LUMEN_GRAPHIQL=true needs LUMEN_GRAPHQL_INTROSPECTION=true in production: GraphiQL reads the schema by introspection (set both, or neither)',
    );
  }
  const corsOrigins = (env.LUMEN_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    // Compared byte for byte with the browser's Origin header, so only the exact form can ever match.
    let exact: string | null = null;
    try {
      const url = new URL(origin);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && !url.hostname.includes('*')) exact = url.origin;
    } catch {
      // not a URL at all
    }
    if (exact !== origin) {
      problems.push(
        `LUMEN_CORS_ORIGINS must list exact origins such as https://app.example.org (scheme, host and port only: no path, no wildcard), comma-separated (got "${origin}"${exact ? `; did you mean "${exact}"?` : ''})`,
      );
    }
  }
  const trustProxyText = env.LUMEN_TRUST_PROXY?.trim() || 'false';
  const trustProxy =
    trustProxyText === 'false' ? 0 : trustProxyText === 'true' ? 1 : /^\d{1,2}$/.test(trustProxyText) ? Number(trustProxyText) : NaN;
  if (Number.isNaN(trustProxy)) {
    problems.push(
      `LUMEN_TRUST_PROXY must be false, true (one proxy) or the number of proxies in front of Lumen (got "${env.LUMEN_TRUST_PROXY}")`,
    );
  }
  let oidc: Config['oidc'] = null;
  if (env.LUMEN_OIDC_ISSUER?.trim()) {
    const clientId = env.LUMEN_OIDC_CLIENT_ID?.trim();
    const clientSecret = env.LUMEN_OIDC_CLIENT_SECRET?.trim();
    if (!clientId || !clientSecret) problems.push('LUMEN_OIDC_CLIENT_ID and LUMEN_OIDC_CLIENT_SECRET are required with LUMEN_OIDC_ISSUER');
    oidc = {
      issuer: env.LUMEN_OIDC_ISSUER.trim(),
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? '',
      label: env.LUMEN_OIDC_LABEL?.trim() || 'Sign in with your institution',
      adminGroup: env.LUMEN_OIDC_ADMIN_GROUP?.trim() || null,
      trustEmail: trustEmail === 'true',
    };
  }
  if (problems.length > 0) {
    throw new ConfigError(`Lumen's configuration has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    env: nodeEnv as Config['env'],
    port,
    host: env.HOST?.trim() || undefined,
    // npm runs workspace scripts inside api/; INIT_CWD is where the person typed the command.
    dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), env.LUMEN_DATA_DIR ?? '.lumen-data'),
    databaseUrl,
    secret,
    previousSecrets,
    adminEmail,
    publicUrl,
    redisUrl,
    oidc,
    corsOrigins,
    trustProxy,
    metricsToken,
    dbPoolSize,
    logLevel: logLevel as LogLevel,
    upstreamTimeoutMs,
    apiKeyMaxDays,
    usageRecordRetentionDays,
    allowHttpWebhooks: allowHttpWebhooksText === 'true',
    introspection,
    graphiql,
    shutdownTimeoutMs,
  };
}

let current: Config | null = null;

/** The process's configuration, set once at start (server, CLI or test setup). */
export function setConfig(config: Config): void {
  current = config;
}

export function config(): Config {
  if (!current) throw new Error('Configuration not loaded yet: call setConfig() at start');
  return current;
}
