/**
 * How an accuracy run splits its images (models/accuracy/run.ts imageRanges) and which Node
 * flags its workers get (models/package-files.ts workerExecArgv): checked against their
 * definitions, on every size up to 3,000 images and 1-4 jobs.
 */
import { describe, expect, it } from 'vitest';
import { imageRanges } from '../../models/accuracy/run.ts';
import { workerExecArgv } from '../../models/package-files.ts';

describe('image ranges', () => {
  it('cover 0..n-1 in order, once; long first, short last, 8-250 images each but the last', () => {
    for (let jobs = 1; jobs <= 4; jobs++) {
      for (let n = 1; n <= 3000; n += n < 100 ? 1 : 37) {
        const r = imageRanges(n, jobs);
        let next = 0;
        r.forEach(([start, count], i) => {
          expect(start).toBe(next);
          expect(count).toBeGreaterThan(0);
          expect(count).toBeLessThanOrEqual(250);
          if (i < r.length - 1) expect(count).toBeGreaterThanOrEqual(8);
          if (i > 0) expect(count).toBeLessThanOrEqual(r[i - 1][1]);
          next += count;
        });
        expect(next).toBe(n);
      }
    }
  });

  it('the whole test set on 2 jobs: a few dozen ranges, the last ones short', () => {
    const r = imageRanges(10000, 2);
    expect(r.length).toBeGreaterThan(20);
    expect(r.length).toBeLessThan(120);
    expect(r[0][1]).toBe(250);
    expect(r[r.length - 1][1]).toBeLessThanOrEqual(8);
  });

  it('a given chunk size is kept', () => {
    expect(imageRanges(10, 2, 4)).toEqual([[0, 4], [4, 4], [8, 2]]);
  });
});

describe('worker flags', () => {
  const tsxArgs = ['--require', '/x/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///x/node_modules/tsx/dist/loader.mjs', '--max-old-space-size=4096'];
  it('a TypeScript worker keeps tsx; a compiled one gets no tsx loader (its start-up cost), other loaders kept', () => {
    expect(workerExecArgv('/p/sweep/worker.ts', tsxArgs)).toEqual(tsxArgs.slice(0, 4));
    expect(workerExecArgv('/p/dist/sweep/worker.js', tsxArgs)).toEqual([]);
    expect(workerExecArgv('/p/dist/sweep/worker.js', ['--import', 'file:///x/otel.mjs', ...tsxArgs])).toEqual(['--import', 'file:///x/otel.mjs']);
  });
});
