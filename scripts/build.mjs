// Compiles bitweave to JavaScript for a fast start: `npm run build`, and `npm ci` /
// `npm install` / `npm pack` through the `prepare` script. esbuild bundles the CLI into one
// CommonJS file, dist/cli/main.cjs, with a V8 code cache beside it (each command's code still
// runs only when that command does), and the library's entry points (api/: `import ... from
// 'bitweave'`) and the worker-thread entry points into dist/ as ES modules (shared code split
// into dist/chunks/); libraries with native or WebAssembly parts, worker files or dynamic
// requires stay external and load from node_modules. tsc writes the library's type
// declarations into dist/types/. bin/bitweave.js runs dist/ while no source it was built from
// (dist/cli/main.sources.json) is newer, the sources through tsx otherwise.
// Usage: node scripts/build.mjs [OUT_DIR]   (default dist/; the tests build into a folder of their own)
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const outdir = process.argv[2] ? resolve(process.argv[2]) : new URL('dist/', root).pathname;

/** ES-module entry points, by their path from the package root; dist/PATH.js each. */
const ENTRY_POINTS = ['api/index.ts', 'api/reports.ts', 'sweep/worker.ts', 'models/accuracy/worker.ts'];
/** The command line: one CommonJS bundle, dist/cli/main.cjs, started from a V8 code cache. */
const CLI_ENTRY = 'cli/main.ts';

/** Not bundled: native/WebAssembly files, their own worker threads, or dynamic requires. */
const EXTERNAL = ['@yowasp/yosys', 'd3-node', 'highs', 'onnx-proto', 'onnxruntime-node', 'pino', 'pino-pretty', 'piscina', 'tsx'];

rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root.pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  logLevel: 'warning',
};
const library = await build({
  ...common,
  metafile: true,
  entryPoints: ENTRY_POINTS,
  outbase: '.',
  outdir,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  // bundled CommonJS libraries (cli-progress) call require(): give the ES modules one
  banner: { js: "import { createRequire as __bitweaveCreateRequire } from 'node:module'; const require = __bitweaveCreateRequire(import.meta.url);" },
});

// The command line as one CommonJS script: Node 20 can keep a V8 code cache for a script
// (bin/code-cache.js), not for ES modules, whose compilation was a third of a start. Each
// command's module stays lazy (esbuild turns its `await import()` into an init function run
// on first use). The sources' import.meta becomes the bundle's own file URL; the external
// ES-only packages (d3-node, @yowasp/yosys) load through Node's require of ES modules (20.19+).
const cliBundle = join(outdir, 'cli', 'main.cjs');
const cli = await build({
  ...common,
  metafile: true,
  entryPoints: [CLI_ENTRY],
  outfile: cliBundle,
  format: 'cjs',
  // ASCII only (non-ASCII in strings escaped): the bundle is read as latin1, a one-byte string
  // with no UTF-8 decoding, a third of the time of reading it as UTF-8
  charset: 'ascii',
  // import() of a package (piscina, highs) becomes require(): V8 drops the dynamic-import
  // callback of functions it restores from a code cache ('A dynamic import callback was not
  // specified'), and Node 20.19+ requires ES-only packages too
  supported: { 'dynamic-import': false },
  define: { 'import.meta': '__bitweaveImportMeta' },
  banner: {
    js: "const __bitweaveImportMeta = { url: require('node:url').pathToFileURL(__filename).href, " +
      "resolve: (s) => require('node:url').pathToFileURL(require.resolve(s)).href };",
  },
});
// esbuild escapes every non-ASCII character of strings, regular expressions and names
// (charset: 'ascii'); it keeps comments as written, and the few with a non-ASCII character
// get a '?' instead, so the latin1 read in bin/code-cache.js sees exactly the text built here.
writeFileSync(cliBundle, readFileSync(cliBundle, 'utf8').replace(/[^\x00-\x7f]/g, '?'));
// The sources dist/ was built from (node_modules aside): bin/bitweave.js runs the bundle
// only while none of them is newer (a few hundred stat calls, ~3 ms, where walking the source
// folders took ~30 ms of every start).
const inputs = new Set([...Object.keys(library.metafile.inputs), ...Object.keys(cli.metafile.inputs)]);
const sources = [...inputs].filter((f) => !f.startsWith('node_modules/')).sort();
writeFileSync(join(outdir, 'cli', 'main.sources.json'), `${JSON.stringify(sources, null, 0)}\n`);
// The code cache: a training run of `run` (the command users repeat most) compiles the parser
// and the simulator; V8 saves them with the script. Its output is not needed.
const train = spawnSync(process.execPath, [new URL('bin/code-cache.js', root).pathname, 'write', cliBundle, 'run', '--arch', 'scale', '--model', 'resnet18', '--quiet'], {
  cwd: root.pathname, stdio: ['ignore', 'ignore', 'inherit'],
});
// without a cache the command runs the same, only its start is slower: warn, do not fail the install
if (train.status !== 0) {
  rmSync(`${cliBundle}.cache`, { force: true });
  process.stderr.write(`build: warning: the code cache's training run failed (exit ${train.status}); dist/ works without it, starting slower\n`);
}

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
