// Writes api/schema.graphql from the Pothos builder; it is committed so that the
// admin UI's codegen and integrators read the same contract.
import fs from 'node:fs';
import { schemaText, SCHEMA_FILE } from '../src/schema/print.ts';

const text = schemaText();
const old = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
if (old !== text) {
  fs.writeFileSync(SCHEMA_FILE, text);
  console.log(`Wrote ${SCHEMA_FILE}`);
}
