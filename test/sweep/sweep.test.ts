/**
 * `bitweave sweep` as a user runs it: parallelism does not change results, a killed sweep
 * resumes to exactly the uninterrupted result, shards partition the points, bad files fail
 * before any point runs.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, repoRoot, runCli } from '../cli/run-cli.ts';
const alexnet = join(repoRoot, 'models/data/scalesim/topologies/conv_nets/alexnet.csv');

/** 2 x 3 x 3 x 3 = 54 points */
const SWEEP = `
base:
  arch: scale
  model: ${alexnet}
grid:
  rows: [16, 32]
  dataflow: [os, ws, is]
  pe: [int8, fp8-e4m3, bf16]
  arch.sram.ifmap_kb: [16, 64, 256]
`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'bitweave-sweep-'));
}

function writeSweep(dir: string, text = SWEEP): string {
  const f = join(dir, 'sweep.yaml');
  writeFileSync(f, text);
  return f;
}

interface Line { key: string; index: number; status: string; result: unknown }

function lines(dir: string): Line[] {
  const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trim().split('\n').map((l) => JSON.parse(l) as Line);
}

function byKey(ls: Line[]): Map<string, string> {
  return new Map(ls.map((l) => [l.key, JSON.stringify(l)]));
}

describe('bitweave sweep', () => {
  it('gives identical results with --jobs 1 and --jobs 2 (54 points)', () => {
    const dir = tmp();
    const file = writeSweep(dir);
    const r1 = runCli(['sweep', file, '--jobs', '1', '--out', join(dir, 'j1'), '--quiet']);
    const r2 = runCli(['sweep', file, '--jobs', '2', '--out', join(dir, 'j2'), '--quiet']);
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    const a = lines(join(dir, 'j1')), b = lines(join(dir, 'j2'));
    expect(a.length).toBe(54);
    expect(b.length).toBe(54);
    expect(byKey(a)).toEqual(byKey(b));
    expect(readFileSync(join(dir, 'j1', 'results.csv'), 'utf8')).toBe(readFileSync(join(dir, 'j2', 'results.csv'), 'utf8'));
    expect(a.every((l) => l.status === 'ok')).toBe(true);
  });

  it('killed midway and resumed, gives exactly the points of an uninterrupted run', async () => {
    const dir = tmp();
    const file = writeSweep(dir);
    const whole = join(dir, 'whole');
    expect(runCli(['sweep', file, '--out', whole, '--quiet']).code).toBe(0);

    const out = join(dir, 'killed');
    const child = spawn(process.execPath, [bin, 'sweep', file, '--out', out, '--quiet'], {
      stdio: 'ignore',
    });
    const jsonl = join(out, 'results.jsonl');
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const n = existsSync(jsonl) ? readFileSync(jsonl, 'utf8').split('\n').length - 1 : 0;
        if (n >= 5) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - started > 60_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
          reject(new Error('sweep produced no results'));
        }
      }, 5);
    });
    await new Promise((r) => child.once('exit', r));
    const partial = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l !== '').length;
    expect(partial).toBeLessThan(54);
    // the worst a kill can leave: a final line cut short
    appendFileSync(jsonl, '{"index":53,"key":"cut-sho');

    const again = runCli(['sweep', file, '--out', out, '--resume', '--quiet', '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { skipped: number; ran: number };
    expect(summary.skipped + summary.ran).toBe(54);
    const resumed = lines(out);
    expect(resumed.length).toBe(54); // no duplicate, no torn line
    expect(new Set(resumed.map((l) => l.key)).size).toBe(54);
    expect(byKey(resumed)).toEqual(byKey(lines(whole)));
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toBe(readFileSync(join(whole, 'results.csv'), 'utf8'));
  });

  it('refuses to overwrite results without --resume', () => {
    const dir = tmp();
    const file = writeSweep(dir, SWEEP.replace('[16, 64, 256]', '[64]').replace('[2, 3]', ''));
    expect(runCli(['sweep', file, '--out', join(dir, 'o'), '--quiet']).code).toBe(0);
    const r = runCli(['sweep', file, '--out', join(dir, 'o'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resume');
  });

  it('shards 1/3, 2/3 and 3/3 together equal the whole sweep', () => {
    const dir = tmp();
    const file = writeSweep(dir);
    expect(runCli(['sweep', file, '--out', join(dir, 'whole'), '--quiet', '--jobs', '2']).code).toBe(0);
    const parts = [1, 2, 3].map((i) => {
      expect(runCli(['sweep', file, '--shard', `${i}/3`, '--out', join(dir, `s${i}`), '--quiet']).code).toBe(0);
      return lines(join(dir, `s${i}`));
    });
    expect(parts.map((p) => p.length)).toEqual([18, 18, 18]);
    const union = parts.flat();
    expect(new Set(union.map((l) => l.key)).size).toBe(54);
    expect(byKey(union)).toEqual(byKey(lines(join(dir, 'whole'))));

    // sweep-merge: the shards (one given twice) as one results directory, equal to the whole
    const shardDirs = [3, 1, 2, 1].map((i) => join(dir, `s${i}`));
    const m = runCli(['sweep-merge', join(dir, 'merged'), ...shardDirs, '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ shards: 4, lines: 72, points: 54, duplicates: 18, failed: 0, missing: null });
    expect(readFileSync(join(dir, 'merged', 'results.jsonl'), 'utf8')).toBe(
      [...lines(join(dir, 'whole'))].sort((a, b) => a.index - b.index).map((l) => JSON.stringify(l) + '\n').join(''),
    );
    expect(readFileSync(join(dir, 'merged', 'results.csv'), 'utf8')).toBe(readFileSync(join(dir, 'whole', 'results.csv'), 'utf8'));
    // two shards only, checked against the sweep file: the missing third is counted, exit 1
    const part = runCli(['sweep-merge', join(dir, 'part'), join(dir, 's1'), join(dir, 's2'), '--spec', file]);
    expect(part.code).toBe(1);
    expect(part.stdout).toContain('18 points of');
    const again = runCli(['sweep-merge', join(dir, 'merged'), join(dir, 's1')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });

  it('resolves the files a sweep file names against its own folder, not the cwd; keys do not depend on either', () => {
    const dir = tmp();
    const sub = join(dir, 'study');
    mkdirSync(join(sub, 'nets'), { recursive: true });
    copyFileSync(alexnet, join(sub, 'nets', 'alexnet.csv'));
    copyFileSync(join(repoRoot, 'models/data/scalesim/topologies/conv_nets/Resnet18.csv'), join(sub, 'nets', 'resnet18.csv'));
    copyFileSync(join(repoRoot, 'examples/arch/npu-3mb.yaml'), join(sub, 'npu.yaml'));
    const file = join(sub, 'sweep.yaml');
    writeFileSync(file, 'base:\n  arch: npu.yaml\n  model: nets/alexnet.csv\ngrid:\n  model: [nets/alexnet.csv, nets/resnet18.csv]\n  rows: [8, 16]\n');
    // started from the repository root and from the scratch folder: the same points, the same results
    const fromRepo = runCli(['sweep', file, '--out', join(dir, 'a'), '--quiet']);
    expect(fromRepo.code, fromRepo.stderr).toBe(0);
    const fromDir = runCli(['sweep', join('study', 'sweep.yaml'), '--out', join(dir, 'b'), '--quiet'], '', dir);
    expect(fromDir.code, fromDir.stderr).toBe(0);
    const a = lines(join(dir, 'a')), b = lines(join(dir, 'b'));
    expect(a.map((l) => l.index).sort()).toEqual([0, 1, 2, 3]);
    expect(a.every((l) => l.status === 'ok')).toBe(true);
    expect(byKey(a)).toEqual(byKey(b));
    // the arch came from npu.yaml beside the sweep file (its unified scratchpad), the models from nets/
    const area = (a[0].result as { area_um2: { sram: { unified: number } } }).area_um2;
    expect(area.sram.unified).toBeGreaterThan(0);
    expect(new Set(a.map((l) => (l.result as { layers: number }).layers))).toEqual(new Set([5, 21]));
    // a missing file is named as the sweep file resolves it
    writeFileSync(file, 'base:\n  arch: scale\n  model: nets/missing.csv\n');
    const missing = runCli(['sweep', file, '--out', join(dir, 'c')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(join(sub, 'nets', 'missing.csv'));
  });

  it('fails before any point runs on an unknown field, an empty grid, a wrong type', () => {
    const dir = tmp();
    const cases: [string, string][] = [
      [SWEEP.replace('rows:', 'rowz:'), "unknown field 'rowz'"],
      [SWEEP.replace('[int8, fp8-e4m3, bf16]', '[]'), 'grid.pe is an empty list'],
      [SWEEP.replace('[16, 64, 256]', '[16, big, 256]'), 'sram.ifmap_kb'],
      [SWEEP.replace('[int8, fp8-e4m3, bf16]', '[int8, fp9]'), "unknown PE kind 'fp9'"],
      [SWEEP.replace('arch: scale', 'arch: scale\n  colour: red'), 'colour'],
      [SWEEP.replace('grid:', 'grid: [oops'), 'not valid YAML'],
    ];
    cases.forEach(([text, message], i) => {
      const out = join(dir, `bad${i}`);
      const r = runCli(['sweep', writeSweep(dir, text), '--out', out]);
      expect({ i, code: r.code }).toEqual({ i, code: 2 });
      expect(r.stderr).toContain(message);
      expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
    });
    const shard = runCli(['sweep', writeSweep(dir), '--shard', '4/3', '--out', join(dir, 'x')]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard');
  });
});
