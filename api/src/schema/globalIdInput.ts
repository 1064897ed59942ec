// A Pothos plugin for `t.arg.globalID({ for })` and `t.globalID({ for })` input fields. It checks
// each such id before the Relay plugin decodes it: a malformed id, or the id of another type, is
// the caller's mistake, reported as BAD_USER_INPUT naming the field (the Relay plugin's own error
// has no code, so it would reach the caller as an unexpected error). A lookup field marked with
// `extensions: { [NULL_FOR_BAD_ID]: true }` answers null instead, as node(id) does, so that no
// answer tells a malformed id apart from a missing object.
import SchemaBuilder, {
  BasePlugin,
  createInputValueMapper,
  mapInputFields,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { badInput, DomainError } from '../domain/errors.ts';
import { parseGlobalId } from './globalIds.ts';

export const NULL_FOR_BAD_ID = 'nullForBadGlobalId';

/** What the Relay plugin records on a global id input field with `for`. */
interface GlobalIdField {
  name: string;
  typenames: string[];
}

function check(value: unknown, field: GlobalIdField): unknown {
  const parsed = parseGlobalId(String(value));
  if (!parsed || !field.typenames.includes(parsed.typename)) {
    throw badInput(`${field.name} is not the id of a ${field.typenames.join(' or ')}: "${String(value).slice(0, 100)}"`, field.name);
  }
  return value;
}

class GlobalIdInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    const mappings = mapInputFields(fieldConfig.args, this.buildCache, (input): GlobalIdField | null => {
      const forTypes = input.extensions?.relayGlobalIDFor as { typename: string }[] | null | undefined;
      return forTypes ? { name: input.name, typenames: forTypes.map((t) => t.typename) } : null;
    });
    if (!resolver || !mappings) return resolver;
    const checkArgs = createInputValueMapper(mappings, (value, mapping) => check(value, mapping.value!));
    const nullForBadId = fieldConfig.extensions?.[NULL_FOR_BAD_ID] === true;
    return (parent, args, ctx, info) => {
      try {
        checkArgs(args);
      } catch (error) {
        if (nullForBadId && error instanceof DomainError) return null;
        throw error;
      }
      return resolver(parent, args, ctx, info);
    };
  }
}

const pluginName = 'globalIdInput';
export default pluginName;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      globalIdInput: GlobalIdInputPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, GlobalIdInputPlugin);
