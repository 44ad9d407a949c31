/**
 * The fuzzed command line, small seeded budget (`npm run fuzz` runs a long one): every
 * corpus of test/fuzz/corpora.ts through the CLI, in-process. No input may end in an internal
 * error, a stack trace, raw control characters, a file written on an exit 2, a hang or an
 * out-of-memory; exit codes are 0 or 2. A few inputs also run as real processes, whose exit
 * codes must equal the in-process ones.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';
import { describeOutcome, runCampaign } from './campaign.ts';
import { GOOD } from './driver.ts';

describe('fuzzed command line (seeded, small budget)', () => {
  it('every input ends in exit 0 or a clean exit 2: no internal error, stack trace, file written on error, hang or memory blow-up', async () => {
    const r = await runCampaign({ perCategory: 18, seed: 19, timeoutMs: 60_000 });
    const bad = r.outcomes.filter((o) => !GOOD.has(o.verdict));
    expect(bad.map(describeOutcome)).toEqual([]);
    expect(r.baselines.parserCrashes).toEqual([]);
    // the corpora reach both sides: valid inputs that run, malformed ones refused
    expect(r.counts.byVerdict.ok).toBeGreaterThan(20);
    expect(r.counts.byVerdict['clean-error']).toBeGreaterThan(60);
    for (const [category, c] of Object.entries(r.counts.byCategory)) expect(c.tried, category).toBeGreaterThan(0);
  }, 300_000);

  it('real processes give the exit codes the in-process runs give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-fuzz-spawn-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: x\narray: {rows: 4, cols: 4}\ndataflow: os\nsram: {ifmap_kb: -1, filter_kb: 8, ofmap_kb: 8}\n');
    const cases: [string[], number][] = [
      [['run', '--gemm', '8x8x8', '--json'], 0],
      [['run', '--gemm', '8x8x8', '--out', join(dir, 'X'), '--trce'], 2],
      [['run', '--arch', join(dir, 'bad.yaml'), '--gemm', '8x8x8', '--out', join(dir, 'Y')], 2],
      [['quantize'], 2],
    ];
    for (const [args, code] of cases) {
      const r = runCli(args);
      expect(r.code, `bitweave ${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // the refused runs left nothing: no X, no Y
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
});
