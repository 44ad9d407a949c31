import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The long checks: each file takes 20 s to minutes (hundreds of CLI processes, whole data
 * sets through every PE kind, Verilator and Yosys builds on a fresh machine). `npm test`
 * (the `quick` project) leaves them out to stay within a few minutes; `npm run test:long`
 * runs them, and CI (.ci/run) runs both.
 */
const LONG_TESTS = [
  'test/cli/readme-examples.test.ts',
  'test/accuracy/accuracy.test.ts',
  'test/accuracy/claims.test.ts',
  'test/array/parity.test.ts',
  'test/sweep/sweep.test.ts',
  'test/sweep/safety.test.ts',
  'test/precision/check.test.ts',
  'test/reports/report.test.ts',
  'test/rtl/pe-narrow.test.ts',
  'test/rtl/pe-wide.test.ts',
  'test/rtl/array.test.ts',
  'test/rtl/synth.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker per core but one: a single worker on a 2-core machine,
    // where the test files (mostly one busy thread each) run twice as fast side by side
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: LONG_TESTS } },
      { extends: true, test: { name: 'long', include: LONG_TESTS } },
    ],
  },
});
