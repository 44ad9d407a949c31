/**
 * `bitweave precision check`: passes on the committed baseline; a PE perturbed here, in the
 * test (a wrapper around the registry's PE that flips one bit of one product, handed to the
 * suite as its PE source), fails the check with a diff that names that PE and no other.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { compareWithBaseline, newBaseline, parseBaseline, serializeBaseline } from '../../sim/precision-check/baseline.ts';
import { runPrecisionSuite } from '../../sim/precision-check/suite.ts';
import { repoRoot, runCli } from '../cli/run-cli.ts';
import { flippedProductPe } from '../pe/flipped-pe.ts';

const BASELINE = join(repoRoot, 'baselines', 'precision.json');
const committed = () => parseBaseline(readFileSync(BASELINE, 'utf8'), BASELINE);

function registryWith(target: string, flip: boolean) {
  return (name: string, opts?: PeOptions): PeKind => {
    const pe = getPe(name, opts);
    return name === target ? flippedProductPe(pe, flip) : pe;
  };
}

describe('precision check (library)', () => {
  it('the committed baseline matches the suite; the unperturbed wrapper changes nothing', () => {
    const base = committed();
    const plain = compareWithBaseline(base, runPrecisionSuite());
    expect(plain.rows.filter((r) => r.fails)).toEqual([]);
    expect(plain.ok).toBe(true);
    const same = compareWithBaseline(base, runPrecisionSuite({ getPe: registryWith('xnor', false) }));
    expect(same.ok).toBe(true);
    expect(same.compared).toBeGreaterThan(200);
  });

  for (const pe of ['lmul-m4', 'xnor', 'int4']) {
    it(`fails when one product of ${pe} has one bit flipped, naming ${pe} only`, () => {
      const cmp = compareWithBaseline(committed(), runPrecisionSuite({ getPe: registryWith(pe, true) }));
      expect(cmp.ok).toBe(false);
      const failing = cmp.rows.filter((r) => r.fails);
      expect(failing.length).toBeGreaterThan(0);
      for (const r of failing) {
        expect(r.key.startsWith(`func/${pe}/`), r.key).toBe(true);
        expect(r.verdict).toBe('changed');
        expect(r.delta).toBe('bits differ');
        expect(r.tolerance).toBe('exact');
      }
    });
  }

  it('trained-model accuracies: compared within tolerance, skipped cleanly when absent', () => {
    const metrics = (acc: number) => ({ models: { mlp: { test_accuracy_fp32: acc, parameters: 3 } } });
    const suite = (acc?: number) => runPrecisionSuite(acc === undefined ? { trainedSkipReason: 'absent' } : { trainedMetrics: metrics(acc) });
    const withMlp = suite(0.9);
    expect(withMlp.entries['trained/mlp/test_accuracy_fp32']).toEqual({ value: 0.9, tol: { abs: 0.005 } });
    expect(withMlp.entries['trained/mlp/parameters']).toBeUndefined();
    const base = newBaseline(undefined, withMlp);
    expect(compareWithBaseline(base, suite(0.903)).ok).toBe(true);
    const worse = compareWithBaseline(base, suite(0.88));
    expect(worse.ok).toBe(false);
    expect(worse.rows.filter((r) => r.fails).map((r) => r.key)).toEqual(['trained/mlp/test_accuracy_fp32']);
    const absent = suite();
    expect(absent.skipped.trained).toBe('absent');
    const cmp = compareWithBaseline(base, absent);
    expect(cmp.ok).toBe(true);
    expect(cmp.rows.map((r) => r.verdict)).toEqual(['skipped']);
    // an update without the trained models keeps their pinned entries
    expect(newBaseline(base, absent).entries['trained/mlp/test_accuracy_fp32']).toEqual(base.entries['trained/mlp/test_accuracy_fp32']);
    // a figure the baseline lacks is reported as new and does not fail
    const fresh = compareWithBaseline(newBaseline(undefined, absent), withMlp);
    expect(fresh.ok).toBe(true);
    expect(fresh.rows.map((r) => r.verdict)).toEqual(['new']);
    expect(parseBaseline(serializeBaseline(base), 'x')).toEqual(base);
  });
});

describe('bitweave precision check (CLI)', () => {
  it('passes on the committed baseline (exit 0)', () => {
    const r = runCli(['precision', 'check']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/precision check: \d+ of \d+ figures compared with baselines\/precision\.json in [\d.]+ s: OK/);
  });

  it('a changed figure: diff table and exit 1; --update rewrites the baseline and prints the change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-precision-'));
    const file = join(dir, 'precision.json');
    copyFileSync(BASELINE, file);
    const key = 'func/ternary/ws/psum-int16/gemm9x7x21';
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(JSON.stringify(key));
    const b = parseBaseline(text, file);
    const good = String(b.entries[key].value);
    const meanKey = 'mul/lmul-m3/mean_rel_error';
    const mean = Number(b.entries[meanKey].value);
    writeFileSync(file, serializeBaseline({
      ...b,
      entries: { ...b.entries, [key]: { value: '63:deadbeef' }, [meanKey]: { ...b.entries[meanKey], value: mean + 1e-3 } },
    }));
    // without the trained models' metrics (another engineer's files): only the two edits differ
    const noTrained = ['--trained-metrics', join(dir, 'absent.json')];
    const r = runCli(['precision', 'check', '--baseline', file, ...noTrained]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/2 FAILED/);
    expect(r.stdout).toMatch(/what\s+baseline\s+now\s+delta\s+tolerance\s+verdict/);
    expect(r.stdout).toMatch(new RegExp(`${key}\\s+63:deadbeef`));
    expect(r.stdout).toMatch(/mul\/lmul-m3\/mean_rel_error\s+\S+\s+\S+\s+-0\.00100\s+abs 0\.000001\s+changed FAIL/);
    const u = runCli(['precision', 'check', '--baseline', file, '--update', ...noTrained]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/2 entries changed/);
    expect(u.stdout).toMatch(new RegExp(`${key}\\s+63:deadbeef\\s+${good}\\s+bits differ\\s+exact\\s+changed\\n`));
    expect(u.stdout).toMatch(/skipped trained: .*absent\.json not found .*\(its baseline entries kept\)/);
    expect(parseBaseline(readFileSync(file, 'utf8'), file).entries[key].value).toBe(good);
    const j = runCli(['precision', 'check', '--baseline', file, '--json', ...noTrained]);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout) as { ok: boolean; diffs: { fails: boolean }[] };
    expect(doc.ok).toBe(true);
    expect(doc.diffs.filter((d) => d.fails)).toEqual([]);
  });

  it('no baseline: exit 2 with how to make one', () => {
    const r = runCli(['precision', 'check', '--baseline', join(tmpdir(), 'no-such-dir-bw', 'p.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no baseline at .*--update/);
  });
});
