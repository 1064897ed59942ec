#!/usr/bin/env node
// A Prisma generator that writes the schema's full DMMF (with native database
// types) to JSON. The schema-drift test compares it with the migrated database,
// because the migrate engine that would normally do that cannot be installed here.
const { generatorHandler } = require('@prisma/generator-helper');
const fs = require('node:fs');
const path = require('node:path');

generatorHandler({
  onManifest: () => ({ prettyName: 'Lumen DMMF snapshot', defaultOutput: './dmmf.json' }),
  onGenerate: async (options) => {
    const output = options.generator.output.value;
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, JSON.stringify(options.dmmf.datamodel, null, 1));
  },
});
