/**
 * Issue 19, sweeps: a results folder holds one sweep (its identity in sweep.json), one writer
 * at a time (sweep.lock), a stuck point cannot block the sweep (--point-timeout), every point
 * is checked before any runs, sizes are counted before anything is expanded, and the results
 * are the same bytes however they were run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../../sweep/spec.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { setLimitOverrides } from '../../sim/limits.ts';
import { bin, repoRoot } from '../cli/run-cli.ts';
import { guardedCli } from '../cli/guarded-cli.ts';

const cli = guardedCli({ timeoutMs: 60_000 });
afterAll(() => cli.close());

const A = 'base: {arch: scale, model: "gemm:8x8x8"}\ngrid:\n  rows: [4, 8]\n  dataflow: [os, ws]\n';
const B = 'base: {arch: scale, model: "gemm:16x8x8"}\ngrid:\n  rows: [4, 8]\n  dataflow: [os, ws]\n';
/** one point that runs for a long time (a 8.6 G MAC functional GEMM), between two quick ones */
const STUCK = 'base: {arch: scale, model: "gemm:8x8x8", functional: true}\npoints:\n  - {model: "gemm:8x8x8"}\n  - {model: "gemm:2048x2048x1024"}\n  - {model: "gemm:16x8x8"}\n';

const lines = (dir: string) => readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; key: string; status: string; error?: string });

describe('a results folder belongs to one sweep', () => {
  it('--resume on the folder of another sweep is exit 2 and changes nothing (it mixed the two)', async () => {
    const first = await cli.run(['sweep', '{dir}/a.yaml', '--out', '{dir}/out', '--quiet'], { files: { 'a.yaml': A, 'b.yaml': B } });
    expect(first.verdict, first.stderr).toBe('ok');
    const out = join(first.dir, 'out');
    const before = readFileSync(join(out, 'results.jsonl'), 'utf8');
    const o = await cli.run(['sweep', join(first.dir, 'b.yaml'), '--out', out, '--resume', '--quiet']);
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/another sweep/);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8')).toBe(before);
  });

  it('sweep-merge refuses shards of different sweeps', async () => {
    const a = await cli.run(['sweep', '{dir}/a.yaml', '--out', '{dir}/a', '--quiet'], { files: { 'a.yaml': A } });
    const b = await cli.run(['sweep', '{dir}/b.yaml', '--out', '{dir}/b', '--quiet'], { files: { 'b.yaml': B.replace('[4, 8]', '[4, 8, 16]') } });
    expect([a.verdict, b.verdict]).toEqual(['ok', 'ok']);
    const o = await cli.run(['sweep-merge', '{dir}/merged', join(a.dir, 'a'), join(b.dir, 'b')]);
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/different sweeps/);
  });

  it('two sweeps on one folder at once: the second exits 2; after a kill the stale lock is taken over; --point-timeout frees the stuck point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-lock-'));
    writeFileSync(join(dir, 's.yaml'), STUCK);
    const out = join(dir, 'out');
    const start = (extra: string[]) => spawn(process.execPath, [bin, 'sweep', join(dir, 's.yaml'), '--out', out, '--quiet', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exit = (c: ReturnType<typeof start>) => new Promise<{ code: number; stderr: string }>((resolve) => {
      let stderr = '';
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code, signal) => resolve({ code: code ?? (signal ? -2 : -1), stderr }));
    });
    const first = start([]);
    const firstExit = exit(first);
    // the first has finished its quick point and is stuck on the next
    const jsonl = join(out, 'results.jsonl');
    for (let i = 0; i < 2400 && !(existsSync(jsonl) && readFileSync(jsonl, 'utf8').includes('\n')); i++) await new Promise((r) => setTimeout(r, 50));
    const second = await exit(start(['--resume']));
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(/in use by another bitweave sweep \(pid \d+/);
    // killed, the first leaves its lock behind: a later --resume takes it over and finishes
    first.kill('SIGKILL');
    await firstExit;
    expect(existsSync(join(out, 'sweep.lock'))).toBe(true);
    // --point-timeout: the stuck point is recorded as failed, its worker stopped, the sweep finishes
    const third = await exit(start(['--resume', '--point-timeout', '2']));
    expect(third.code, third.stderr).toBe(1); // failed points: exit 1, as documented
    expect(lines(out).map((l) => [l.index, l.status])).toEqual([[0, 'ok'], [1, 'error'], [2, 'ok']]);
    expect(lines(out)[1].error).toMatch(/timed out after 2 s/);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
    // resumed again, the failed point runs again and still has one line (error lines were appended)
    const fourth = await exit(start(['--resume', '--point-timeout', '1']));
    expect(fourth.code).toBe(1);
    expect(lines(out).map((l) => l.index)).toEqual([0, 1, 2]);
  }, 300_000);

  it('a lock left by a writer that is gone is taken over; one held by a live process is not', async () => {
    const first = await cli.run(['sweep', '{dir}/a.yaml', '--out', '{dir}/out', '--quiet'], { files: { 'a.yaml': A } });
    const out = join(first.dir, 'out');
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), started: 'then' }));
    expect((await cli.run(['sweep', join(first.dir, 'a.yaml'), '--out', out, '--resume', '--quiet'])).verdict).toBe('ok');
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now' }));
    const o = await cli.run(['sweep', join(first.dir, 'a.yaml'), '--out', out, '--resume', '--quiet']);
    expect(o.verdict).toBe('clean-error');
    expect(o.stderr).toContain(`pid ${process.pid}`);
  });
});

describe('every point is checked before any runs, and sizes before anything is expanded', () => {
  it('a bad acc, psum, dram.type or dataset fails the sweep at once (it failed per point at the end)', async () => {
    for (const field of ['acc: [fp32, nosuchformat]', 'psum: [bf16, nosuchformat]', 'arch.dram.type: [ddr4, ddr9]', 'dataset: [fmnist]']) {
      const o = await cli.run(['sweep', '{dir}/s.yaml', '--out', '{dir}/out'], { files: { 's.yaml': `base: {arch: scale, model: "gemm:8x8x8"}\ngrid:\n  ${field}\n` } });
      expect(o.verdict, `${field}: ${o.stderr}`).toBe('clean-error');
      expect(o.stderr).toMatch(/point \d+/);
      expect(existsSync(join(o.dir, 'out'))).toBe(false);
    }
  });

  it('a 252-byte file of YAML aliases (10^8 points) is refused by counting, in well under a second of work', async () => {
    const bomb = 'base: {arch: scale, model: "gemm:8x8x8"}\ngrid:\n  rows: &v [1,2,3,4,5,6,7,8,9,10]\n  cols: *v\n  arch.sram.ifmap_kb: *v\n  arch.sram.filter_kb: *v\n  arch.sram.ofmap_kb: *v\n  arch.dram.bandwidth: *v\n  arch.dram.latency: *v\n  seed: *v\n';
    expect(bomb.length).toBeLessThan(300);
    const o = await cli.run(['sweep', '{dir}/s.yaml', '--out', '{dir}/out'], { files: { 's.yaml': bomb } });
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/number of points .* is 100,000,000; the limit is 100,000/);
  });

  it('a grid of 120,000 points expands without exhausting the stack (all points were spread into one call)', () => {
    const text = `base: {arch: scale, model: "gemm:8x8x8"}\ngrid:\n  rows: [${Array.from({ length: 400 }, (_, i) => i + 1).join(', ')}]\n  cols: [${Array.from({ length: 300 }, (_, i) => i + 1).join(', ')}]\n`;
    setLimitOverrides({ sweep_points: 200_000 });
    try {
      const spec = parseSweepSpec(text, 'big.yaml', { loadArch: (n) => getPreset(n) });
      expect(spec.points.length).toBe(120_000);
    } finally {
      setLimitOverrides({});
    }
  });

  it('--jobs above the core count is refused without --force (1000 workers took 8.9 GB)', async () => {
    const o = await cli.run(['sweep', '{dir}/a.yaml', '--out', '{dir}/out', '--jobs', '1000'], { files: { 'a.yaml': A } });
    expect(o.verdict, o.stderr).toBe('clean-error');
    expect(o.stderr).toMatch(/--jobs 1000 is more than the \d+ cores/);
  });
});

describe('node flags', () => {
  it('a sweep under `node --max-old-space-size=...` starts its workers (they refused the flag)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-flags-'));
    writeFileSync(join(dir, 'a.yaml'), A);
    const r = spawnSync(process.execPath, ['--max-old-space-size=2048', bin, 'sweep', join(dir, 'a.yaml'), '--out', join(dir, 'out'), '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(lines(join(dir, 'out')).length).toBe(4);
  });
});

describe('the same sweep gives the same bytes', () => {
  it.runIf(availableParallelism() >= 2)('results.jsonl and results.csv are identical with --jobs 1 and --jobs 2', async () => {
    const grid = 'base: {arch: scale, model: "' + join(repoRoot, 'models/data/scalesim/topologies/conv_nets/alexnet.csv') + '"}\ngrid:\n  rows: [8, 16, 32]\n  dataflow: [os, ws, is]\n';
    const one = await cli.run(['sweep', '{dir}/s.yaml', '--out', '{dir}/j1', '--jobs', '1', '--quiet'], { files: { 's.yaml': grid } });
    const two = await cli.run(['sweep', join(one.dir, 's.yaml'), '--out', join(one.dir, 'j2'), '--jobs', '2', '--quiet']);
    expect([one.verdict, two.verdict]).toEqual(['ok', 'ok']);
    for (const f of ['results.jsonl', 'results.csv']) {
      expect(readFileSync(join(one.dir, 'j2', f), 'utf8'), f).toBe(readFileSync(join(one.dir, 'j1', f), 'utf8'));
    }
  }, 180_000);
});
