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

/** The Node flags a worker running workerModule(...) needs: tsx's loader for TypeScript sources, none for dist/. */
export function workerExecArgv(file: string): string[] {
  if (!file.endsWith('.ts') || process.execArgv.some((a) => a.includes('tsx'))) return process.execArgv;
  // tsx resolved from here, not from the cwd: a worker started in any directory finds it
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}
