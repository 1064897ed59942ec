// Production starts Node for Lumen in three places: the Dockerfile (CMD and ENV), `npm start`
// (api/package.json) and spawnServer's compiled mode, which the benchmark and the compiled-build
// tests use so that they measure and check what is deployed. Their Node flags and malloc
// settings keep an idle instance's memory down (see PRODUCTION_NODE_ARGS); this keeps the three
// the same, so that a flag changed in one place is changed in all.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { API_DIR, COMPILED_SERVER, PRODUCTION_ENV, PRODUCTION_NODE_ARGS } from './support/spawnServer.ts';

const dockerfile = fs.readFileSync(path.join(API_DIR, '../Dockerfile'), 'utf8');

test("the Dockerfile's CMD starts the compiled server with the production Node flags", () => {
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd[1]), ['node', ...PRODUCTION_NODE_ARGS, `api/${COMPILED_SERVER}`]);
});

test("the Dockerfile's ENV sets the production malloc settings", () => {
  for (const [name, value] of Object.entries(PRODUCTION_ENV)) {
    assert.match(dockerfile, new RegExp(`^ENV (.* )?${name}=${value}( |$)`, 'm'), `${name}=${value}`);
  }
});

test('`npm start` runs the compiled server with the same flags and settings', () => {
  const start = JSON.parse(fs.readFileSync(path.join(API_DIR, 'package.json'), 'utf8')).scripts.start as string;
  const settings = Object.entries(PRODUCTION_ENV).map(([name, value]) => `${name}=${value}`);
  assert.equal(start, [...settings, 'node ../scripts/node.mjs', ...PRODUCTION_NODE_ARGS, COMPILED_SERVER].join(' '));
});
