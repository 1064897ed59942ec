// Limits on what one GraphQL request may ask for (graphql-armor), introspection
// only where wanted, and a body size limit. The numbers live in limits.ts.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { config } from '../config.ts';
import { GRAPHQL_LIMITS } from './limits.ts';

/** Production hides the limits' numbers and field suggestions from callers. */
const production = () => process.env.NODE_ENV === 'production';

export function armorPlugins(): Plugin[] {
  const expose = !production();
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: GRAPHQL_LIMITS.maxDepth, exposeLimits: expose, ignoreIntrospection: true },
      maxAliases: { n: GRAPHQL_LIMITS.maxAliases, exposeLimits: expose },
      maxTokens: { n: GRAPHQL_LIMITS.maxTokens, exposeLimits: expose },
      maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, exposeLimits: expose },
      costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, exposeLimits: expose, ignoreIntrospection: true },
      blockFieldSuggestion: { enabled: !expose },
    }) as Plugin,
  ];
}

/** Introspection is on in development and test; in production only with LUMEN_GRAPHQL_INTROSPECTION=true. */
export function useIntrospectionPolicy(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (config().env === 'production' && !config().introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/** Counts a body's bytes without keeping them, stopping as soon as it is over the limit. */
async function exceeds(request: Request, limit: number): Promise<boolean> {
  const reader = request.clone().body?.getReader();
  if (!reader) return false;
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return true;
    }
  }
}

/** Refuses oversized GraphQL bodies: by their Content-Length when sent, else by counting. */
export async function bodyTooLarge(request: Request): Promise<Response | null> {
  if (request.method !== 'POST') return null;
  const length = request.headers.get('content-length');
  const tooLarge = length !== null ? Number(length) > GRAPHQL_LIMITS.maxBodyBytes : await exceeds(request, GRAPHQL_LIMITS.maxBodyBytes);
  if (!tooLarge) return null;
  return Response.json(
    { errors: [{ message: `The request body is larger than ${GRAPHQL_LIMITS.maxBodyBytes} bytes`, extensions: { code: 'BAD_USER_INPUT' } }] },
    { status: 413 },
  );
}
