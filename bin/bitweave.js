#!/usr/bin/env node
// The `bitweave` command. Runs the JavaScript that `npm ci` compiled into dist/ (the
// `prepare` script, `npm run build`) when it is at least as new as every TypeScript source;
// otherwise (no build, or a source edited since) runs the sources through tsx's loader,
// registered in this process, so there is one process to signal either way (a killed
// sweep dies at once, not its parent only). BITWEAVE_FROM_SOURCE=1 always runs the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `bitweave ... | head` closes the pipe early: that is not an error worth a stack trace
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/cli/main.js`;
const SOURCE_DIRS = ['api', 'cli', 'sim', 'models', 'sweep', 'reports', 'traces', 'rtl'];

/** The newest modification time of the TypeScript sources (a few hundred stat calls: ~2 ms). */
function newestSource() {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    let names;
    try {
      names = readdirSync(`${root}${dir}`, { recursive: true });
    } catch {
      continue; // an installed package ships no sources: dist/ is all there is
    }
    for (const name of names) {
      if (name.endsWith('.ts')) newest = Math.max(newest, statSync(`${root}${dir}/${name}`).mtimeMs);
    }
  }
  return newest;
}

if (process.env.BITWEAVE_FROM_SOURCE !== '1' && existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
