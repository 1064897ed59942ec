// Limits on what one GraphQL request may ask for (graphql-armor), introspection
// only where wanted, and a body size limit. The numbers live in limits.ts.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { config } from '../config.ts';
import { GRAPHQL_LIMITS } from './limits.ts';

export function armorPlugins(): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: GRAPHQL_LIMITS.maxDepth, ignoreIntrospection: true },
      maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
      maxTokens: { n: GRAPHQL_LIMITS.maxTokens },
      maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
      costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, ignoreIntrospection: true },
      // Suggestions are removed below, in production only.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
    useProductionErrorPolicy(),
  ];
}

/**
 * In production, refusals do not reveal the limits' numbers (which would help
 * someone tune an attack just under them) nor suggest field names (which would
 * map the schema with introspection off). Decided per request, from the configuration.
 */
function useProductionErrorPolicy(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((error) => (error instanceof GraphQLError ? quietInProduction(error) : error)));
      };
    },
  };
}

/** The same policy for refusals that are thrown rather than reported (maskError.ts applies it when masking). */
export function quietInProduction(error: GraphQLError): GraphQLError {
  if (config().env !== 'production') return error;
  const message = error.message
    .replace(/ limit of [\d.]+ exceeded, found [\d.]+\.?/, ' limit exceeded.')
    .replace(/\s*Did you mean .*\?$/, '');
  return message === error.message ? error : new GraphQLError(message, { nodes: error.nodes, extensions: error.extensions });
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
    {
      errors: [{ message: `The request body is larger than ${GRAPHQL_LIMITS.maxBodyBytes} bytes`, extensions: { code: 'BAD_USER_INPUT' } }],
    },
    { status: 413 },
  );
}
