// Runs the compiled command line (dist/cli/main.cjs, one CommonJS bundle: see
// scripts/build.mjs) with a V8 code cache beside it (main.cjs.cache), so a start does not
// parse and compile the bundle again: Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22), and its ES-module loader compiles every module
// on every start. The cache is written once, by the build, after a training run that
// compiles what `run` needs (V8 puts the functions compiled so far into the cache). A cache
// V8 refuses (another Node version, other V8 flags) is ignored: the bundle compiles as
// without one, same behaviour, only slower. Nothing here changes what the command does.
//
// As a program (the build uses it): node bin/code-cache.js write|read BUNDLE [ARGS...]
// runs BUNDLE with ARGS as the command line; `write` saves the cache at exit.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * Runs the CommonJS bundle `file` as Node would (module wrapper, require, __dirname), from its
 * code cache `${file}.cache` when V8 accepts it; `write` saves a fresh cache at exit.
 * BITWEAVE_CODE_CACHE_REPORT=1 prints whether the cache was used (for the tests and bench).
 */
export function runCompiled(file, { write = false } = {}) {
  const cacheFile = `${file}.cache`;
  const source = readFileSync(file, 'utf8');
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
    // `await import('d3-node')` inside the bundle loads ES modules as the main context does
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
  const mod = new Module(file);
  mod.filename = file;
  mod.loaded = true;
  const require = createRequire(file);
  wrapper.call(mod.exports, mod.exports, require, mod, file, dirname(file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
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
