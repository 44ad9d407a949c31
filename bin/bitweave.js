#!/usr/bin/env node
// The `bitweave` command. Runs the JavaScript that `npm ci` compiled into dist/ (the
// `prepare` script, `npm run build`: one CommonJS bundle started from its V8 code cache, see
// code-cache.js) when it is at least as new as every source it was built from; otherwise
// (no build, or a source edited since) runs the sources through tsx's loader, registered in
// this process, so there is one process to signal either way (a killed sweep dies at once,
// not its parent only). BITWEAVE_FROM_SOURCE=1 always runs the sources. CommonJS
// (bin/package.json): the compiled path starts without Node's ES-module loader.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// `bitweave ... | head` closes the pipe early: that is not an error worth a stack trace
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const root = join(__dirname, '..');
const compiled = join(root, 'dist', 'cli', 'main.cjs');

/** Loaded only past the --version shortcut, which needs nothing but package.json. */
const codeCache = () => require('./code-cache.js');

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // the version is package.json's, as the parser would print it: no parser to load for it
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else if (process.env.BITWEAVE_FROM_SOURCE !== '1' && codeCache().buildIsFresh(root)) {
  codeCache().runCompiled(compiled);
} else {
  import('tsx/esm/api').then(({ register }) => {
    register();
    return import('../cli/main.ts');
  });
}
