/**
 * The layering the README's Architecture section promises, checked on the source files:
 *  - sim/ is the machine: it imports nothing outside sim/ (no models/, cli/, reports/, sweep/,
 *    traces/), only node builtins and packages;
 *  - models/ is the workload: it may import sim/ (and rtl/gates/library.ts, the reader of the
 *    committed gate netlists), never cli/, reports/, sweep/ or traces/;
 *  - cli/ is the edge: nothing but the command line itself and the library's entry points
 *    (api/, which re-export its arch and sweep file readers) imports it;
 *  - api/ is the library's entry: nothing inside the package imports it.
 * Every relative import is resolved against its file, static and dynamic ones alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Module specifiers of every import / export-from / dynamic import / side-effect import. */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const re = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Top-level folder a relative import lands in ('' for a package or builtin). */
function targetFolder(file: string, spec: string): string {
  if (!spec.startsWith('.')) return '';
  const abs = resolve(ROOT, dirname(file), spec);
  return relative(ROOT, abs).split(sep)[0];
}

function violations(dir: string, allowed: (folder: string) => boolean): string[] {
  const files = sources(dir);
  // a rule over no files checks nothing: the folder must be there
  expect(files.length, `${dir}/ has no source files`).toBeGreaterThan(0);
  const bad: string[] = [];
  for (const f of files) {
    for (const spec of specifiers(readFileSync(join(ROOT, f), 'utf8'))) {
      const folder = targetFolder(f, spec);
      if (folder !== '' && !allowed(folder)) bad.push(`${f} imports '${spec}' (${folder}/)`);
    }
  }
  return bad;
}

describe('import layering', () => {
  it('the scanner sees static, type-only, re-export, dynamic and side-effect imports, not comments', () => {
    const text = [
      "import { a } from '../models/x.ts';",
      "import type { B } from '../cli/y.ts';",
      "export { c } from './z.ts';",
      "const m = await import('../sweep/w.ts');",
      "import '../reports/side.ts';",
      "// import { no } from '../models/comment.ts';",
      "/* import { no } from '../models/block.ts'; */",
      "import {\n  multi,\n  line,\n} from 'node:fs';",
    ].join('\n');
    expect(specifiers(text)).toEqual(['../models/x.ts', '../cli/y.ts', './z.ts', '../sweep/w.ts', '../reports/side.ts', 'node:fs']);
  });

  it('sim/ imports nothing outside sim/ (no models/, cli/, reports/, sweep/, traces/)', () => {
    expect(violations('sim', (f) => f === 'sim')).toEqual([]);
  });

  it('models/ imports only sim/ and models/ (and the committed gate netlists\' reader)', () => {
    // rtl/gates/library.ts reads rtl/netlists/ (data the gates45 technology prices with) and maps
    // a PE to its design; run requests and exec price with it. Nothing else of rtl/.
    const bad = violations('models', (f) => f === 'sim' || f === 'models');
    expect(bad.filter((v) => !/ imports '[./]*rtl\/gates\/library\.ts' \(rtl\/\)$/.test(v))).toEqual([]);
  });

  it('only the command line imports cli/', () => {
    for (const dir of ['sim', 'models', 'reports', 'traces', 'sweep']) {
      expect(violations(dir, (f) => f !== 'cli'), dir).toEqual([]);
    }
  });

  it('nothing inside the package imports api/ (the library entry points)', () => {
    for (const dir of ['sim', 'models', 'reports', 'traces', 'sweep', 'cli', 'rtl']) {
      expect(violations(dir, (f) => f !== 'api'), dir).toEqual([]);
    }
  });
});
