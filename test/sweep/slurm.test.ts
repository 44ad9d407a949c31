/**
 * The README's Slurm recipe, run for real: examples/slurm/sweep-array.sbatch submitted as a
 * job array to a single-node Slurm cluster on this machine (.ci/start-slurm.sh starts one),
 * its shards merged with `bitweave sweep-merge`, equal to a single-process run of the sweep.
 * Skipped (with a message) where Slurm is not installed, except under CI, where it must run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../cli/run-cli.ts';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const clusterUp = has('sbatch') && spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 }).stdout?.match(/idle|mix|alloc/) !== null;
const run = clusterUp || Boolean(process.env.CI);
if (!run) {
  // eslint-disable-next-line no-console
  console.warn('Slurm job-array test skipped: no running Slurm cluster (start one with `bash .ci/start-slurm.sh`, as root); it always runs under CI');
}

/** 2 x 3 x 2 = 12 points, a few milliseconds each */
const SWEEP = `
base:
  arch: edge
  model: gemm:96x64x160
grid:
  rows: [8, 16]
  dataflow: [os, ws, is]
  pe: [int8, bf16]
`;

describe.skipIf(!run)('Slurm job array (examples/slurm/sweep-array.sbatch)', () => {
  it('3 array tasks, merged, equal a single-process run of the sweep', () => {
    expect(clusterUp, 'no Slurm cluster answers: .ci/run must run .ci/start-slurm.sh first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-slurm-'));
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, SWEEP);
    const shards = join(dir, 'shards');
    const sb = spawnSync('sbatch', [
      '--wait', '--array=1-3', '--chdir', dir,
      `--export=ALL,BITWEAVE_HOME=${repoRoot},NODE=${process.execPath}`,
      join(repoRoot, 'examples', 'slurm', 'sweep-array.sbatch'), file, shards,
    ], { encoding: 'utf8', timeout: 110_000 });
    // each task logs beside its results (shards/shard-i/slurm.log); nothing lands in the submit directory
    const logs = () => (existsSync(shards) ? readdirSync(shards) : [])
      .map((s) => join(shards, s, 'slurm.log')).filter((f) => existsSync(f)).map((f) => `${f}:\n${readFileSync(f, 'utf8')}`).join('\n');
    expect(sb.status, `${sb.stdout}${sb.stderr}\n${logs()}`).toBe(0);
    expect(sb.stdout).toMatch(/Submitted batch job \d+/);
    expect(readdirSync(shards).sort()).toEqual(['shard-1', 'shard-2', 'shard-3']);
    expect(readFileSync(join(shards, 'shard-2', 'slurm.log'), 'utf8')).toMatch(/shard 2\/3/);
    expect(readdirSync(dir).filter((f) => f.startsWith('slurm-'))).toEqual([]);

    const merged = join(dir, 'merged');
    const m = runCli(['sweep-merge', merged, ...['1', '2', '3'].map((i) => join(shards, `shard-${i}`)), '--spec', file, '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ shards: 3, points: 12, lines: 12, duplicates: 0, failed: 0, missing: 0 });

    const whole = join(dir, 'whole');
    expect(runCli(['sweep', file, '--out', whole, '--quiet']).code).toBe(0);
    const read = (d: string) => readFileSync(join(d, 'results.jsonl'), 'utf8');
    const sorted = (text: string) => text.trim().split('\n').sort();
    expect(sorted(read(merged))).toEqual(sorted(read(whole)));
    expect(read(merged).trim().split('\n').map((l) => (JSON.parse(l) as { index: number }).index)).toEqual([...Array(12).keys()]);
    expect(readFileSync(join(merged, 'results.csv'), 'utf8')).toBe(readFileSync(join(whole, 'results.csv'), 'utf8'));
  });
});
