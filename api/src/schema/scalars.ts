// Coins travel as decimal strings ("12.5") so no client ever sees a float.
import { DateTimeResolver } from 'graphql-scalars';
import { GraphQLError, Kind } from 'graphql';
import { formatCoins, exact } from '../domain/coins.ts';
import { builder } from './builder.ts';

builder.addScalarType('DateTime', DateTimeResolver);

builder.scalarType('Coins', {
  description: 'An exact amount of coins, as a decimal string such as "12.5". Never a float.',
  serialize: (value) => formatCoins(exact(value as string)),
  parseValue: (value) => {
    if (typeof value !== 'string') {
      throw new GraphQLError('Coins are sent as a decimal string such as "12.5", not as a number', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Coins are written as a decimal string such as "12.5", not as a number', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return ast.value;
  },
});
