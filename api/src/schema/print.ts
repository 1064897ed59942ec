// The schema as SDL, the form committed to api/schema.graphql.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from './index.ts';

export const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema.graphql');

export function schemaText(): string {
  return `${printSchema(schema)}\n`;
}
