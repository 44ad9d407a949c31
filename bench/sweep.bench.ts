/**
 * Sweep throughput: points per second of a 200-point timing-only sweep (ResNet-50's SCALE-Sim
 * topology on the `scale` preset; 5 array heights x 5 widths (4-16) x 2 dataflows x 4 ifmap
 * SRAM sizes: 10-300 ms a point, so the pool's own costs do not dominate) through the real pool (sweep/runner.ts + sweep/worker.ts, piscina worker threads,
 * results streamed to results.jsonl) with 1 and 2 workers, and the speedup as a ratio.
 *
 * Beside the totals it prints what explains a shortfall: the pool's start-up (time to the
 * first finished point: worker threads loading TypeScript through tsx), the steady-state
 * rate after it, the same points in a plain loop in this process (no pool at all), the CPU
 * time the process used per wall second, and the machine's load average (other processes
 * competing for the two cores show there, not in the pool).
 *
 * Wired into `npm run bench` by bench/index.ts; runnable alone: npx tsx bench/sweep.bench.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadArch } from '../cli/arch-file.ts';
import { printTable } from '../cli/io.ts';
import { runPoint } from '../sweep/point.ts';
import { runSweep } from '../sweep/runner.ts';
import { RESULTS_JSONL } from '../sweep/results.ts';
import { parseSweepSpec, type SweepSpec } from '../sweep/spec.ts';
import { fmt } from './timing.ts';

const RESNET50 = fileURLToPath(new URL('../models/data/scalesim/topologies/conv_nets/Resnet50.csv', import.meta.url));
const WORKER = fileURLToPath(new URL('../sweep/worker.ts', import.meta.url));

export const SWEEP_BENCH_YAML = `
base:
  arch: scale
  model: ${RESNET50}
grid:
  rows: [4, 6, 8, 12, 16]
  cols: [4, 6, 8, 12, 16]
  dataflow: [os, ws]
  arch.sram.ifmap_kb: [32, 64, 128, 256]
`;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const ROUNDS = 2;

export interface PoolRun {
  readonly jobs: number;
  readonly points: number;
  readonly wall_ms: number;
  /** time to the first finished point: pool start-up plus one point */
  readonly first_ms: number;
  /** points per second after the first point */
  readonly steady_pts_per_s: number;
  readonly pts_per_s: number;
  /** process CPU time (all threads) per wall second */
  readonly cpu_per_wall: number;
  /** process CPU time (all threads), ms */
  readonly cpu_ms: number;
  readonly results: string;
}

export async function timePool(spec: SweepSpec, jobs: number): Promise<PoolRun> {
  const outDir = mkdtempSync(join(tmpdir(), `bitweave-bench-sweep-j${jobs}-`));
  try {
    const cpu0 = process.cpuUsage();
    const t0 = now();
    let first = 0, last = 0;
    await runSweep(spec, {
      outDir, jobs, resume: false, points: spec.points, workerFile: WORKER,
      onDone: (_line, done) => {
        const t = now();
        if (done === 1) first = t;
        last = t;
      },
    });
    const wall = now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const n = spec.points.length;
    // the lines in point order, to check that the worker count changes nothing
    const results = readFileSync(join(outDir, RESULTS_JSONL), 'utf8').trim().split('\n').sort().join('\n');
    return {
      jobs, points: n, wall_ms: wall, first_ms: first - t0,
      steady_pts_per_s: last > first ? ((n - 1) * 1000) / (last - first) : NaN,
      pts_per_s: (n * 1000) / wall,
      cpu_per_wall: (cpu.user + cpu.system) / 1000 / wall,
      cpu_ms: (cpu.user + cpu.system) / 1000,
      results,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export async function printSweepBench(): Promise<void> {
  const spec = parseSweepSpec(SWEEP_BENCH_YAML, 'bench sweep', { loadArch });
  const n = spec.points.length;
  process.stdout.write(`\n## Sweep throughput: ${n}-point timing-only sweep (Resnet50.csv on scale: rows x cols x dataflow x ifmap SRAM)\n\n`);
  const load0 = loadavg()[0];

  // warm-up: tsx's transform cache and the OS file cache, so neither run pays for them
  await timePool({ ...spec, points: spec.points.slice(0, 4) }, 2);

  // the same points in this process, one after another: the work itself, without a pool
  const times: number[] = [];
  const cl = process.cpuUsage();
  const tl = now();
  for (const p of spec.points) {
    const t = now();
    runPoint(p.config);
    times.push(now() - t);
  }
  const loopMs = now() - tl;
  const loopCpu = process.cpuUsage(cl);
  const loopCpuMs = (loopCpu.user + loopCpu.system) / 1000;
  times.sort((a, b) => a - b);

  // alternate the two, best of ROUNDS each: other processes on the machine come and go
  let one: PoolRun | undefined, two: PoolRun | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await timePool(spec, 1);
    const b = await timePool(spec, 2);
    if (!one || a.pts_per_s > one.pts_per_s) one = a;
    if (!two || b.pts_per_s > two.pts_per_s) two = b;
  }
  if (!one || !two) throw new Error('no rounds');
  const load1 = loadavg()[0];
  const same = one.results === two.results;

  printTable(
    ['run', 'points/s', 'wall s', 'first point s', 'steady points/s', 'CPU s', 'CPU s per wall s'],
    [
      ['in-process loop (no pool)', fmt((n * 1000) / loopMs), fmt(loopMs / 1000, 2), '-', '-', fmt(loopCpuMs / 1000, 2), fmt(loopCpuMs / loopMs, 2)],
      ...[one, two].map((r) => [
        `pool, ${r.jobs} worker${r.jobs > 1 ? 's' : ''}`, fmt(r.pts_per_s), fmt(r.wall_ms / 1000, 2), fmt(r.first_ms / 1000, 2),
        fmt(r.steady_pts_per_s), fmt(r.cpu_ms / 1000, 2), fmt(r.cpu_per_wall, 2),
      ]),
    ],
  );
  const speedup = two.pts_per_s / one.pts_per_s;
  const steady = two.steady_pts_per_s / one.steady_pts_per_s;
  process.stdout.write(
    `\nbest of ${ROUNDS} alternating rounds each; parallel speedup, 2 workers / 1 worker: ${fmt(speedup, 2)}x (target >= 1.7x on 2 cores); ` +
      `steady state (after the first point): ${fmt(steady, 2)}x\n` +
      `per point: median ${fmt(times[Math.floor(n / 2)])} ms, max ${fmt(times[n - 1])} ms in-process; ` +
      `results identical with 1 and 2 workers: ${same ? 'yes' : 'NO'}\n` +
      `CPU time: ${fmt(one.cpu_ms / 1000, 2)} s with 1 worker, ${fmt(two.cpu_ms / 1000, 2)} s with 2 (start-up included), ` +
      `so on two idle cores the speedup could reach ${fmt((2 * one.cpu_ms) / two.cpu_ms, 2)}x at most\n` +
      `machine: ${availableParallelism()} CPUs, load average ${fmt(load0, 2)} before, ${fmt(load1, 2)} after; ` +
      `the 2-worker run got ${fmt(two.cpu_per_wall, 2)} CPUs on average ` +
      `(well under 2 means other processes shared the cores, and the speedup reads low)\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await printSweepBench();
}
