/**
 * The compiled (dist/) form of a worker module, built first when a source is newer than the
 * build: a user's `bitweave` command runs dist/ (bin/bitweave.js), whose workers start in
 * ~0.3 s, where a worker of TypeScript sources loads tsx first (~1-1.5 s). Benchmarks of
 * pools time the workers users get.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { packageFile, packageRoot } from '../models/package-files.ts';

/** bin/bitweave.js's own test: is dist/ newer than every source it was built from? */
const { buildIsFresh } = createRequire(import.meta.url)('../bin/code-cache.js') as { buildIsFresh: (root: string) => boolean };

/** dist/PATH.js for a worker module ('sweep/worker'), rebuilt (scripts/build.mjs) when stale. */
export function compiledWorker(path: string): string {
  if (!buildIsFresh(packageRoot())) {
    process.stderr.write('dist/ is older than the sources: building it (node scripts/build.mjs)\n');
    execFileSync(process.execPath, [packageFile('scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return packageFile(`dist/${path}.js`);
}
