// Compiles bitweave to JavaScript for a fast start: `npm run build`, and `npm ci` /
// `npm install` / `npm pack` through the `prepare` script. esbuild bundles the CLI, the
// library's entry points (api/: `import ... from 'bitweave'`) and the worker-thread entry
// points into dist/ (shared code split into dist/chunks/, each command's code a chunk of its
// own loaded when that command runs); libraries with native or WebAssembly parts, worker
// files or dynamic requires stay external and load from node_modules. tsc writes the
// library's type declarations into dist/types/.
// bin/bitweave.js runs dist/ when it is newer than every source, the sources through tsx otherwise.
// Usage: node scripts/build.mjs [OUT_DIR]   (default dist/; the tests build into a folder of their own)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const outdir = process.argv[2] ? resolve(process.argv[2]) : new URL('dist/', root).pathname;

/** Entry points, by their path from the package root; dist/PATH.js each. */
const ENTRY_POINTS = ['cli/main.ts', 'api/index.ts', 'api/reports.ts', 'sweep/worker.ts', 'models/accuracy/worker.ts'];

/** Not bundled: native/WebAssembly files, their own worker threads, or dynamic requires. */
const EXTERNAL = ['@yowasp/yosys', 'd3-node', 'highs', 'onnx-proto', 'onnxruntime-node', 'pino', 'pino-pretty', 'piscina', 'tsx'];

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

// The library's declarations (dist/types/api/index.d.ts, ...). The sources import each other
// with .ts extensions; a consumer's TypeScript resolves .js ones to the .d.ts files, so the
// relative specifiers of the declarations are rewritten to .js.
const rootDir = root.pathname;
const typesDir = join(outdir, 'types');
execFileSync(process.execPath, [join(rootDir, 'node_modules/typescript/bin/tsc'), '-p', join(rootDir, 'tsconfig.types.json'), '--outDir', typesDir], {
  cwd: rootDir, stdio: 'inherit',
});
for (const name of readdirSync(typesDir, { recursive: true })) {
  if (!String(name).endsWith('.d.ts')) continue;
  const file = join(typesDir, String(name));
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(file, rewritten);
}
