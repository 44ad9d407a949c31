// Compiles bitweave to JavaScript for a fast start: `npm run build`, and `npm ci` /
// `npm install` through the `prepare` script. esbuild bundles the CLI and the worker-thread
// entry points into dist/ (shared code split into dist/chunks/, each command's code a chunk
// of its own loaded when that command runs); libraries with native or WebAssembly parts,
// worker files or dynamic requires stay external and load from node_modules.
// bin/bitweave.js runs dist/ when it is newer than every source, the sources through tsx otherwise.
// Usage: node scripts/build.mjs [OUT_DIR]   (default dist/; the tests build into a folder of their own)
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const outdir = process.argv[2] ? resolve(process.argv[2]) : new URL('dist/', root).pathname;

/** Entry points, by their path from the package root; dist/PATH.js each. */
const ENTRY_POINTS = ['cli/main.ts', 'sweep/worker.ts', 'models/accuracy/worker.ts'];

/** Not bundled: native/WebAssembly files, their own worker threads, or dynamic requires. */
const EXTERNAL = ['d3-node', 'highs', 'onnx-proto', 'onnxruntime-node', 'pino', 'pino-pretty', 'piscina', 'tsx'];

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root.pathname,
  entryPoints: ENTRY_POINTS,
  outbase: '.',
  outdir,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // bundled CommonJS libraries (cli-progress) call require(): give the ES modules one
  banner: { js: "import { createRequire as __bitweaveCreateRequire } from 'node:module'; const require = __bitweaveCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
