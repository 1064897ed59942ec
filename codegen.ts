// graphql-codegen configuration (run with `npm run generate -w admin-ui` or `npm run generate`
// at the root). It reads the API's committed schema and writes typed documents, gitignored and
// never edited by hand, for two sets of `graphql()` calls:
//   - the admin UI's (admin-ui/src) to admin-ui/src/gql/;
//   - the API tests' (api/test, api/faults) to api/test/gql/, so a test reads typed results.
import type { CodegenConfig } from '@graphql-codegen/cli';

// Both sets send the same scalars as JSON strings.
const scalars = {
  Coins: 'string',
  DateTime: 'string',
};

const config: CodegenConfig = {
  // LUMEN_SCHEMA lets the UI be generated against another copy of the schema
  // (for example a draft while the API is being written); the default is the real one.
  schema: process.env.LUMEN_SCHEMA ?? 'api/schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'admin-ui/src/gql/': {
      documents: ['admin-ui/src/**/*.{ts,tsx}', '!admin-ui/src/gql/**/*'],
      preset: 'client',
      presetConfig: {
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
      },
      config: {
        // Enums as string-literal unions instead of TypeScript enums (what `enumsAsTypes: true`
        // was called before codegen 6; the client preset now forwards `enumType`).
        enumType: 'string-literal',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars,
        defaultScalarType: 'unknown',
      },
    },
    // The schema as the admin UI's normalized cache (Graphcache) reads it.
    'admin-ui/src/gql/schema.ts': {
      plugins: ['./admin-ui/codegen/graphcacheSchema.mjs'],
    },
    'api/test/gql/': {
      documents: ['api/test/**/*.ts', 'api/faults/**/*.ts', '!api/test/gql/**/*'],
      preset: 'client',
      presetConfig: {
        // Tests read whole results: no fragment masking.
        fragmentMasking: false,
      },
      config: {
        // Documents as strings (TypedDocumentString): the tests post them as they are, no print().
        documentMode: 'string',
        // The API imports its own files with their .ts extension (tsx runs them, tsc checks them).
        importExtension: '.ts',
        enumType: 'string-literal',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars,
        defaultScalarType: 'unknown',
      },
    },
  },
};

export default config;
