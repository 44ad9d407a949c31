/**
 * Gate-level cost model speed (npx tsx bench/gates.bench.ts, or within npm run bench):
 *  1. gate-level evaluations per second per PE kind: one MAC = the multiplier and accumulator
 *     netlists (and EN-T's encoder) evaluated bit-parallel with toggle counting, on a PE's
 *     operand stream (output stationary, 32 PEs x 2048 slots) — beside bitweave's own `pe.mac`
 *     on the same operands in this process (the baseline);
 *  2. the cost of --technology gates45 on a ResNet-18 timing run (zoo model, scale preset):
 *     the command a user runs (`bitweave run`, a new process each time) with horowitz45 and with
 *     gates45, and the same request in this process: the first gates45 run (netlists loaded and
 *     compiled, the distribution profiles evaluated) and later ones (profiles memoized);
 *     the target is under 2x the table-based run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from '../cli/io.ts';
import { committedLibrary, designKeyFor } from '../rtl/gates/library.ts';
import { getPreset } from '../sim/arch/presets.ts';
import { parseArch } from '../sim/arch/schema.ts';
import { psumStore } from '../sim/array/psum.ts';
import { libraryFactors } from '../sim/cost/gates/calibrate.ts';
import { gemmGateEnergy } from '../sim/cost/gates/pe-energy.ts';
import { gatePe } from '../sim/cost/gates/pe-gates.ts';
import { distributionSample } from '../sim/cost/gates/layer-gates.ts';
import { mapGemm } from '../sim/dataflows/mapping.ts';
import { getPe } from '../sim/pe/registry.ts';
import { RunCache, runRequest, type RunRequest } from '../models/run-request.ts';
import { fmt, measure } from './timing.ts';

const KINDS: { name: string; opts?: { reuse: 'ent' } }[] = [
  { name: 'int8' }, { name: 'int8', opts: { reuse: 'ent' } }, { name: 'fp8-e4m3' }, { name: 'lmul-fp8-e4m3' },
  { name: 'lmul-bf16' }, { name: 'bf16' }, { name: 'fp16' }, { name: 'fp32' },
];
const LANES = 32, K = 2048;
const BIN = join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'bitweave.js');

export async function printGatesBench(): Promise<void> {
  const lib = committedLibrary();
  const factors = libraryFactors(lib);
  const rows: string[][] = [];
  for (const k of KINDS) {
    const pe = getPe(k.name, k.opts ?? {});
    const design = designKeyFor(k.name, k.opts ?? {});
    const g = gatePe(lib, design, pe, factors);
    const s = distributionSample(pe, LANES, 1, K, true, 5);
    const mp = mapGemm({ m: LANES, n: 1, k: K }, LANES, 1, 'os');
    const ops = { a: s.a, b: s.b, psum: psumStore(pe) };
    const macs = LANES * K;
    const msGates = measure(() => void gemmGateEnergy(g, mp, ops, { maxMacs: macs }), { rounds: 3, minMs: 200 });
    const msPe = measure(() => {
      let acc = 0;
      for (let l = 0; l < LANES; l++) {
        let st = pe.accZero;
        for (let j = 0; j < K; j++) st = pe.mac(st, s.a[l * K + j], s.b[j]);
        acc += pe.accToBits(st);
      }
      if (acc === 0.5) process.stderr.write('');
    }, { rounds: 3, minMs: 200 });
    const cells = g.mul.priced.cells + g.acc.priced.cells + (g.enc?.priced.cells ?? 0);
    rows.push([design, String(cells), fmt(macs / msGates / 1e3, 3), fmt(macs / msPe / 1e3, 1), fmt(msGates / msPe, 0)]);
  }
  process.stdout.write('\n## Gate-level evaluation: MACs per second through the netlists (multiplier + accumulator, toggles counted, registers priced)\n' +
    `stream: ${LANES} PEs x ${K} slots, output stationary; baseline: pe.mac on the same operands in this process\n\n`);
  printTable(['design', 'cells', 'gates M MAC/s', 'pe.mac M MAC/s', 'gates / pe.mac (x slower)'], rows);

  // ResNet-18 timing run: horowitz45 vs gates45, in this process and as the command a user runs
  const arch = parseArch(JSON.parse(JSON.stringify({ ...getPreset('scale'), pe: 'int8' })), 'bench arch');
  const cache = new RunCache();
  const req = (technology: string): RunRequest => ({ arch, model: 'resnet18', cost: { technology } });
  const once = async (technology: string) => {
    const t = performance.now();
    await runRequest(req(technology), cache);
    return performance.now() - t;
  };
  await once('horowitz45'); // the workload loaded and cached for both
  const cold = await once('gates45'); // netlists loaded and compiled, the distribution profiles evaluated
  const table: number[] = [], gates: number[] = [];
  for (let i = 0; i < 9; i++) {
    table.push(await once('horowitz45'));
    gates.push(await once('gates45'));
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
  const cli = (technology: string): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'run', '--arch', 'scale', '--model', 'resnet18', '--pe', 'int8', '--technology', technology, '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bitweave run failed: ${r.stderr}`);
    return performance.now() - t;
  };
  const cTable: number[] = [], cGates: number[] = [];
  for (let i = 0; i < 3; i++) {
    cTable.push(cli('horowitz45'));
    cGates.push(cli('gates45'));
  }
  process.stdout.write('\n## --technology gates45 on a ResNet-18 timing run (scale preset, int8, zoo model: stated operand distribution)\n' +
    'medians of alternating runs; in-process: the workload cached, the netlists loaded after the first gates45 run\n\n');
  printTable(['run', 'horowitz45 ms', 'gates45 ms', 'gates45 / horowitz45'], [
    ['bitweave run (the command, a new process each)', fmt(med(cTable), 0), fmt(med(cGates), 0), `${fmt(med(cGates) / med(cTable), 2)}x`],
    ['in process, first gates45 run (netlists, profiles)', fmt(med(table), 1), fmt(cold, 1), `${fmt(cold / med(table), 2)}x`],
    ['in process, later runs', fmt(med(table), 1), fmt(med(gates), 1), `${fmt(med(gates) / med(table), 2)}x`],
  ]);
}

if (process.argv[1]?.endsWith('gates.bench.ts')) await printGatesBench();
