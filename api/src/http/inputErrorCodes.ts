// GraphQL itself rejects some bad input before any resolver runs (a value of the
// wrong type, an unknown enum value, a missing required field). Those are the
// caller's mistakes like any other, so they get the same code: BAD_USER_INPUT.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const INPUT_PROBLEMS = [
  /^Expected value of type/,
  /does not exist in ".*" enum/,
  /^Variable "\$\w+" of type ".*" used in position expecting/,
  /^Variable "\$\w+" got invalid value/,
  /^Variable "\$\w+" of required type ".*" was not provided/,
  /^Variable "\$\w+" of non-null type ".*" must not be null/,
  /cannot represent/,
  /^Field ".*" of required type ".*" was not provided/,
  /^Field ".*" is not defined by type ".*Input"/,
  /^Coins are (sent|written) as a decimal string/,
];

/** GraphQL quotes the offending value whole; a huge one would bury the explanation. */
function readable(message: string): string {
  return message.length <= 300 ? message : `${message.slice(0, 200)} … ${message.slice(-90)}`;
}

function recode(error: Error): Error {
  if (!(error instanceof GraphQLError)) return error;
  if (error.extensions?.code === 'BAD_USER_INPUT' || !INPUT_PROBLEMS.some((p) => p.test(error.message))) return error;
  return new GraphQLError(readable(error.message), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

export function useInputErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map(recode));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if ('errors' in result && result.errors?.length)
            setResult({ ...result, errors: result.errors.map((e) => recode(e) as GraphQLError) });
        },
      };
    },
  };
}
