// Runs the compiled command line (dist/cli/main.cjs, one CommonJS bundle: see
// scripts/build.mjs) with a V8 code cache beside it (main.cjs.cache), so a start does not
// parse and compile the bundle again: Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22), and its ES-module loader compiles every module
// on every start. The cache is written once, by the build, after a training run that
// compiles what `run` needs (V8 puts the functions compiled so far into the cache). A cache
// V8 refuses (another Node version, other V8 flags) is ignored: the bundle compiles as
// without one, same behaviour, only slower. Nothing here changes what the command does.
// CommonJS (bin/package.json), like bin/bitweave.js: a start needs no ES-module loader.
//
// As a program (the build uses it): node bin/code-cache.js write|read BUNDLE [ARGS...]
// runs BUNDLE with ARGS as the command line; `write` saves the cache at exit.
'use strict';
const { existsSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, resolve } = require('node:path');
const vm = require('node:vm');

/**
 * Runs the CommonJS bundle `file` as Node would (module wrapper, require, __dirname), from its
 * code cache `${file}.cache` when V8 accepts it; `write` saves a fresh cache at exit.
 * BITWEAVE_CODE_CACHE_REPORT=1 prints whether the cache was used (for the tests and bench).
 */
function runCompiled(file, { write = false } = {}) {
  const cacheFile = `${file}.cache`;
  // the build leaves the bundle pure ASCII: latin1 reads it as a one-byte string, no decoding
  const source = readFileSync(file, 'latin1');
  let cachedData;
  if (!write) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // no cache: compiled as usual
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // `await import(...)` inside the bundle loads ES modules as the main context does
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const state = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  if (process.env.BITWEAVE_CODE_CACHE_REPORT === '1') process.on('exit', () => process.stderr.write(`code cache: ${state}\n`));
  if (write) {
    process.on('exit', () => {
      // atomically: a concurrent start reads the old cache or the new one, never half of one
      const staged = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(staged, script.createCachedData());
      renameSync(staged, cacheFile);
    });
  }
  const wrapper = script.runInThisContext();
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  mod.loaded = true;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
}

/**
 * Whether the build in `root`/dist is at least as new as the sources it was built from (the
 * build lists them in dist/cli/main.sources.json). A source that is not there is skipped: an
 * installed package ships none. An edited, added or removed module is caught through the
 * module that imports it.
 */
function buildIsFresh(root) {
  const bundle = join(root, 'dist', 'cli', 'main.cjs');
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  let sources;
  try {
    sources = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'main.sources.json'), 'utf8'));
  } catch {
    return false; // a build from before the list: rebuild (npm run build) or run the sources
  }
  for (const file of sources) {
    const st = statSync(join(root, file), { throwIfNoEntry: false });
    if (st !== undefined && st.mtimeMs > built) return false;
  }
  return true;
}

module.exports = { runCompiled, buildIsFresh };

if (require.main === module) {
  const [mode, file, ...args] = process.argv.slice(2);
  if ((mode !== 'write' && mode !== 'read') || file === undefined) {
    process.stderr.write('usage: node bin/code-cache.js write|read BUNDLE [ARGS...]\n');
    process.exit(2);
  }
  const bundle = resolve(file);
  // the bundle reads its command line from process.argv, after node and the script
  process.argv = [process.argv[0], bundle, ...args];
  runCompiled(bundle, { write: mode === 'write' });
}
