// Which environment variables may hold an upstream key. A model names the variable
// (upstreamKeyEnv) and Lumen sends its value to the model's upstreamBaseUrl, which
// an admin chooses freely: were any variable allowed, an admin could send the
// server's own secrets (LUMEN_SECRET, DATABASE_URL, the OIDC client secret) to a
// URL of their choice. So only variables made for the purpose qualify, by name.
export const UPSTREAM_KEY_ENV_PREFIX = 'LUMEN_UPSTREAM_KEY_';

const ALLOWED = /^LUMEN_UPSTREAM_KEY_[A-Z0-9_]+$/;

export function isAllowedUpstreamKeyEnv(name: string): boolean {
  return ALLOWED.test(name);
}

/** The rule, in words an admin can act on. */
export const UPSTREAM_KEY_ENV_RULE = `an upstream key must be in an environment variable named ${UPSTREAM_KEY_ENV_PREFIX}<NAME> (such as ${UPSTREAM_KEY_ENV_PREFIX}OPENAI)`;

/** Why a stored model's upstreamKeyEnv is refused; it names the variable only when the value looks like a variable name (never a pasted key). */
export function refusedUpstreamKeyEnv(modelName: string, name: string): string {
  const which = /^[A-Z_][A-Z0-9_]{0,100}$/.test(name) ? `the environment variable ${name}` : 'an environment variable';
  return `Model ${modelName} is set to send ${which} as its upstream key, which Lumen refuses: ${UPSTREAM_KEY_ENV_RULE}. An admin must put the key in such a variable and point the model's upstreamKeyEnv at it`;
}
