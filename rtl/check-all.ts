/**
 * The long RTL checks, run by `npm run rtl-check` (co-simulation) and `npm run rtl-synth`
 * (full Yosys synthesis), outside `npm test`:
 * - every catalogue design: every operand pair where there are at most 2^16, otherwise every
 *   pair of corner values plus 2^20 seeded random pairs (product and accumulator step);
 * - the array: every PE kind of ARRAY_PES x every dataflow x 2x2, 4x4, 8x8, random GEMMs,
 *   every write's cycle, address and bits against the reference engine; accumulation
 *   'below' (ws, is) against the reference engine with accumulate 'below';
 * - --synth: `synth` (to gates) and `check -assert` of every design's check top and of every
 *   array top (every design that can be the PE x os/ws/is x accumulate top/below; 2x2, 4-entry
 *   memories; the PE arithmetic as black boxes, see cosim/synth-items.ts): no latches, no
 *   warnings. `--shard i/n` runs every n-th item; `--jobs N` runs N shards as child processes;
 *   `--only TEXT` the items whose name contains TEXT.
 * Prints one line per item and the totals; exit 1 on any mismatch or failed synthesis.
 */
import { arrayRtl, arrayRtlWith, buildArrayModel, checkGemm, randomShapes } from './cosim/array-check.ts';
import { checkTarget, describeMismatch } from './cosim/pe-check.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerExecArgv } from '../models/package-files.ts';
import { synthItems } from './cosim/synth-items.ts';
import { synthCheck } from './cosim/yosys.ts';
import { ARRAY_PES, rtlTargets } from './gen/catalogue.ts';
import type { Dataflow } from '../sim/arch/schema.ts';

const RANDOM = 2 ** 20;
const DATAFLOWS: Dataflow[] = ['os', 'ws', 'is'];
const SIZES = [2, 4, 8];
const GEMMS = 8; // per (PE, dataflow, size): 288 GEMMs

async function main(): Promise<number> {
  const synth = process.argv.includes('--synth');
  const t0 = performance.now();
  let failures = 0;
  if (!synth) {
    let vectors = 0;
    for (const t of rtlTargets()) {
      const r = checkTarget(t, RANDOM, 1);
      vectors += r.vectors;
      const bad = r.productMismatches + r.accMismatches;
      failures += bad;
      console.log(
        `${t.key.padEnd(34)} ${String(r.vectors).padStart(8)} vectors ${r.exhaustive ? '(all pairs)   ' : '(corners+rand)'} ` +
          `${r.productMismatches} product / ${r.accMismatches} acc mismatches  build ${r.buildSeconds.toFixed(1)} s  sim ${r.simSeconds.toFixed(2)} s`,
      );
      for (const m of r.examples) console.log(`   ${describeMismatch(m)}`);
    }
    let gemms = 0, writes = 0;
    for (const pe of ARRAY_PES) {
      for (const df of DATAFLOWS) {
        for (const size of SIZES) {
          const rtl = arrayRtl(pe, df, size, size);
          const model = buildArrayModel(rtl);
          let bad = 0, w = 0;
          for (const [i, shape] of randomShapes(size, size, GEMMS, 31 * size + 7).entries()) {
            const r = checkGemm(rtl, model, shape, 1 + i);
            const b = r.writeMismatches + r.outputMismatches + (r.rtlCycles === r.referenceCycles ? 0 : 1);
            bad += b;
            w += r.writes;
            if (b > 0) console.log(`   ${pe} ${df} ${size}x${size} GEMM ${shape.m}x${shape.n}x${shape.k}: ${r.examples.join('; ')}`);
          }
          gemms += GEMMS;
          writes += w;
          failures += bad;
          console.log(`array ${pe.padEnd(10)} ${df} ${size}x${size}: ${GEMMS} GEMMs, ${w} writes, ${bad} mismatches  build ${model.buildSeconds.toFixed(1)} s`);
        }
      }
    }
    // accumulation 'below' against the reference engine with accumulate 'below'
    for (const pe of ['int8', 'fp8-e4m3+acc-bf16', 'lmul-bf16+acc-bf16']) {
      for (const df of ['ws', 'is'] as const) {
        for (const size of [2, 4]) {
          const rtl = arrayRtlWith(pe, df, size, size, 'below');
          const model = buildArrayModel(rtl);
          let bad = 0, w = 0;
          for (const [i, shape] of randomShapes(size, size, GEMMS, 17 * size + 3).entries()) {
            const r = checkGemm(rtl, model, { ...shape, k: shape.k + size }, 1 + i);
            const b = r.writeMismatches + r.outputMismatches + (r.rtlCycles === r.referenceCycles ? 0 : 1);
            bad += b;
            w += r.writes;
            if (b > 0) console.log(`   ${pe} ${df} below ${size}x${size}: ${r.examples.join('; ')}`);
          }
          gemms += GEMMS;
          writes += w;
          failures += bad;
          console.log(`array ${pe} ${df} ${size}x${size} accumulate below: ${GEMMS} GEMMs, ${w} writes, ${bad} mismatches  build ${model.buildSeconds.toFixed(1)} s`);
        }
      }
    }
    console.log(`\nrtl-check: ${rtlTargets().length} designs, ${vectors} vectors; ${gemms} GEMMs, ${writes} writes; ${failures} mismatches; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } else {
    // --jobs N: N processes, each a shard; their outputs printed in order
    const jobsArg = process.argv.includes('--jobs') ? Number(process.argv[process.argv.indexOf('--jobs') + 1]) : 1;
    if (!Number.isInteger(jobsArg) || jobsArg < 1 || jobsArg > 64) {
      console.error('--jobs takes a whole number of processes in 1..64');
      return 2;
    }
    if (jobsArg > 1 && !process.argv.includes('--shard')) return synthJobs(jobsArg, t0);
    // --shard i/n: every n-th item from the i-th (0-based), to spread the check over processes
    const shardArg = process.argv[process.argv.indexOf('--shard') + 1];
    const [shard, shards] = process.argv.includes('--shard') ? (shardArg ?? '').split('/').map(Number) : [0, 1];
    if (!Number.isInteger(shard) || !Number.isInteger(shards) || shards < 1 || shard < 0 || shard >= shards) {
      console.error(`--shard takes i/n with 0 <= i < n, got '${shardArg}'`);
      return 2;
    }
    let n = 0, cpu = 0;
    // --only TEXT: the items whose name contains TEXT
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';
    for (const [i, it] of [...synthItems()].filter((x) => x.name.includes(only)).entries()) {
      if (i % shards !== shard) continue;
      const r = await synthCheck(it.verilog, it.top, 'full', { blackbox: it.blackbox });
      const cells = Object.values(r.cells).reduce((s, c) => s + c, 0);
      n++;
      cpu += r.cpuSeconds;
      if (!r.ok) failures++;
      console.log(
        `${it.name.padEnd(40)} ${r.ok ? 'ok    ' : 'FAILED'} ${String(cells).padStart(7)} cells, ${r.latches} latches, ` +
          `${r.warnings.length} warnings, ${r.cpuSeconds.toFixed(1)} s CPU`,
      );
      if (!r.ok) console.log(r.log.slice(-1500));
    }
    console.log(`\nrtl-synth: ${n} items (designs and array tops), ${failures} failed; ${cpu.toFixed(0)} s CPU, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return failures > 0 ? 1 : 0;
}

/** The synthesis check in `jobs` child processes (one shard each), run at once; exit 1 if any failed. */
async function synthJobs(jobs: number, t0: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const runs = Array.from({ length: jobs }, (_, i) => new Promise<{ code: number; out: string }>((done) => {
    const only = process.argv.includes('--only') ? ['--only', process.argv[process.argv.indexOf('--only') + 1] ?? ''] : [];
    const child = spawn(process.execPath, [...workerExecArgv(self), self, '--synth', '--shard', `${i}/${jobs}`, ...only], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.on('close', (code) => done({ code: code ?? 1, out: Buffer.concat(chunks).toString('utf8') }));
  }));
  const results = await Promise.all(runs);
  let failed = 0;
  results.forEach((r, i) => {
    console.log(`--- shard ${i}/${jobs} (exit ${r.code})`);
    process.stdout.write(r.out);
    if (r.code !== 0) failed++;
  });
  console.log(`\nrtl-synth: ${jobs} shards, ${failed} failed; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
