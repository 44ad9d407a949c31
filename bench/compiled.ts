/**
 * The compiled (dist/) form of a worker module, built first when a source is newer than the
 * build: a user's `bitweave` command runs dist/ (bin/bitweave.js), whose workers start in
 * ~0.3 s, where a worker of TypeScript sources loads tsx first (~1-1.5 s). Benchmarks of
 * pools time the workers users get.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { packageFile } from '../models/package-files.ts';

const SOURCE_DIRS = ['api', 'cli', 'sim', 'models', 'sweep', 'reports', 'traces', 'rtl'];

function newestSource(): number {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const name of readdirSync(packageFile(dir), { recursive: true }) as string[]) {
      if (name.endsWith('.ts')) newest = Math.max(newest, statSync(packageFile(`${dir}/${name}`)).mtimeMs);
    }
  }
  return newest;
}

/** dist/PATH.js for a worker module ('sweep/worker'), rebuilt (scripts/build.mjs) when stale. */
export function compiledWorker(path: string): string {
  const file = packageFile(`dist/${path}.js`);
  if (!existsSync(file) || statSync(file).mtimeMs < newestSource()) {
    process.stderr.write('dist/ is older than the sources: building it (node scripts/build.mjs)\n');
    execFileSync(process.execPath, [packageFile('scripts/build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return file;
}
