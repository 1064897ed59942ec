// `npm run build`: compiles src/ to JavaScript in dist/ for production, so Lumen runs on
// plain Node (`node dist/server.js`) without compiling TypeScript at every start (tsx is
// for development and the tests). dist/ mirrors src/ at the same depth, which keeps the
// paths that modules take from import.meta.url (../../../admin-ui/dist,
// ../../../prisma/migrations, ../../schema.graphql) right from either. Files that are
// neither TypeScript nor JSON (graphiql-start.js, served to browsers as it is) are copied
// beside; tsc writes the JSON that modules import, and the rest (src/generated/dmmf.json)
// is the generators' alone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const api = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(api, 'src');
const dist = path.join(api, 'dist');

// Nothing left over from an earlier build (a module since renamed or deleted).
fs.rmSync(dist, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(api, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
fs.cpSync(src, dist, {
  recursive: true,
  filter: (from) => fs.statSync(from).isDirectory() || (!from.endsWith('.ts') && !from.endsWith('.json')),
});
