// graphql-codegen configuration for the admin UI (run with `npm run generate -w admin-ui`
// or `npm run generate` at the root). It reads the API's committed schema and every
// `graphql()` document in admin-ui/src, and writes typed documents to admin-ui/src/gql/
// (gitignored, never edited by hand).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // LUMEN_SCHEMA lets the UI be generated against another copy of the schema
  // (for example a draft while the API is being written); the default is the real one.
  schema: process.env.LUMEN_SCHEMA ?? 'api/schema.graphql',
  documents: ['admin-ui/src/**/*.{ts,tsx}', '!admin-ui/src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    'admin-ui/src/gql/': {
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
        scalars: {
          Coins: 'string',
          DateTime: 'string',
        },
        defaultScalarType: 'unknown',
      },
    },
  },
};

export default config;
