// A graphql-codegen plugin (see codegen.ts): the schema as Graphcache reads it, so that the
// admin UI's normalized cache knows which types implement an interface (fragments on
// UsageOwner match a Client or a User for certain, not by guessing) and which types have no
// id. Only what Graphcache reads is kept (object, interface and union types, their fields,
// arguments and interfaces): no descriptions, enums or inputs, to keep the bundle small.
import { introspectionFromSchema } from 'graphql';

const typeRef = (ref) => (ref.ofType ? { kind: ref.kind, ofType: typeRef(ref.ofType) } : { kind: ref.kind, name: ref.name });
const named = ({ kind, name }) => ({ kind, name });

function trim(type) {
  if (type.kind === 'UNION') return { kind: type.kind, name: type.name, possibleTypes: type.possibleTypes.map(named) };
  return {
    kind: type.kind,
    name: type.name,
    interfaces: type.interfaces.map(named),
    fields: type.fields.map((field) => ({
      name: field.name,
      type: typeRef(field.type),
      args: field.args.map((arg) => ({ name: arg.name, type: typeRef(arg.type) })),
    })),
  };
}

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
export const plugin = (schema) => {
  const { __schema } = introspectionFromSchema(schema, { descriptions: false });
  const kept = __schema.types.filter((t) => ['OBJECT', 'INTERFACE', 'UNION'].includes(t.kind) && !t.name.startsWith('__'));
  const introspection = {
    __schema: {
      queryType: __schema.queryType && named(__schema.queryType),
      mutationType: __schema.mutationType && named(__schema.mutationType),
      subscriptionType: __schema.subscriptionType && named(__schema.subscriptionType),
      types: kept.map(trim),
    },
  };
  return [
    '// Generated from api/schema.graphql by admin-ui/codegen/graphcacheSchema.mjs: never edit by hand.',
    "import type { CacheExchangeOpts } from '@urql/exchange-graphcache';",
    '',
    `export const schema: NonNullable<CacheExchangeOpts['schema']> = ${JSON.stringify(introspection)};`,
    '',
  ].join('\n');
};
