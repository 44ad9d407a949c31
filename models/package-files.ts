/**
 * Files shipped with the package (data sets, trained models, baselines, worker modules),
 * found from the package root whether this code runs from its TypeScript sources (tsx,
 * vitest) or from the JavaScript that `npm run build` bundles into dist/, where a module's
 * own folder says nothing about the sources' layout.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** false when this runs from dist/ (compiled JavaScript) */
const FROM_SOURCE = here.endsWith('.ts');

let root: string | undefined;

/** The folder that holds the package's package.json (the repository, or node_modules/bitweave). */
export function packageRoot(): string {
  if (root === undefined) {
    let dir = dirname(here);
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`no package.json above ${here}`);
      dir = up;
    }
    root = dir;
  }
  return root;
}

/** A file of the package, by its path from the package root ('models/data/trained/'). */
export function packageFile(path: string): string {
  return join(packageRoot(), path);
}

/**
 * A module a worker thread runs, by its path from the package root without extension
 * ('sweep/worker'): the TypeScript source when this runs from sources, else the compiled
 * entry point dist/PATH.js (bundled as its own entry, see scripts/build.mjs).
 */
export function workerModule(path: string): string {
  return packageFile(FROM_SOURCE ? `${path}.ts` : `dist/${path}.js`);
}

/** Node flags a worker thread accepts (per-process ones, like --max-old-space-size, make it refuse to start). */
const WORKER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * The Node flags a worker running workerModule(...) needs: this process's module loaders
 * only (a worker thread refuses to start with a per-process flag such as
 * --max-old-space-size), plus tsx's loader for TypeScript sources when this process
 * registered tsx in-process (bin/bitweave.js) and so has none to pass on. A compiled
 * worker (dist/, .js) gets no tsx loader even when this process runs under tsx: it imports
 * no TypeScript, and loading tsx costs a worker ~1 s of start-up (issue 21: 1.4-1.8 s to a
 * worker's first answer with it, 0.3 s without, on the shared machine).
 */
export function workerExecArgv(file: string, argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!WORKER_FLAGS.has(name)) continue;
    const flag = eq > 0 ? [a] : i + 1 < argv.length ? [a, argv[++i]] : [];
    if (!file.endsWith('.ts') && flag.some((x) => x.includes('tsx'))) continue;
    out.push(...flag);
  }
  if (!file.endsWith('.ts') || out.some((a) => a.includes('tsx'))) return out;
  // tsx resolved from here, not from the cwd: a worker started in any directory finds it
  return [...out, '--import', import.meta.resolve('tsx')];
}
