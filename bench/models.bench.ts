/**
 * Model-zoo benchmarks:
 *  1. every zoo model (default parameters): build + lowering time, then a timing-only
 *     simulation of its array ops on the `scale` preset (sim/simulate.ts `simulate`, fast engine;
 *     each distinct array op simulated once and its cycles multiplied by its repeat count),
 *     plus the vector-unit cycles at the default throughput (reported apart: the simulator
 *     does not model the vector unit yet);
 *  2. functional fp32 throughput on resnet18 (224x224, random weights): the fp32 reference
 *     executor and the PE executor with the `fp32` PE (pe.dot per output, OS order), beside
 *     a plain JS fp32 GEMM (Float32Array operands and accumulators) of the same total MACs,
 *     measured in the same run.
 */
import { fileURLToPath } from 'node:url';
import { printTable } from '../cli/io.ts';
import { fp32Backend, peBackend } from '../models/exec/backends.ts';
import { executeGraph } from '../models/exec/executor.ts';
import { graphMacs } from '../models/operators.ts';
import { lowerGraph } from '../models/lower.ts';
import { totalVectorCycles } from '../sim/workload/vector.ts';
import { buildZooModel, zooNames } from '../models/zoo/index.ts';
import { getPreset } from '../sim/arch/presets.ts';
import { getPe } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { simulate } from '../sim/simulate.ts';
import { fmt } from './timing.ts';

const now = () => Number(process.hrtime.bigint()) / 1e6;

export interface ZooTimingRow {
  model: string;
  gmacs: number;
  array_ops: number;
  lower_ms: number;
  sim_ms: number;
  array_cycles: number;
  utilization: number;
  vector_cycles: number;
}

export function zooTimings(preset = 'scale'): ZooTimingRow[] {
  const arch = getPreset(preset);
  const pe = getPe(arch.pe);
  return zooNames().map((name) => {
    const t0 = now();
    const g = buildZooModel(name);
    const l = lowerGraph(g);
    const t1 = now();
    const r = simulate({ arch, pe, layers: l.arrayOps.map((o) => o.layer) });
    const t2 = now();
    let cycles = 0, macs = 0;
    r.layers.forEach((lr, i) => {
      cycles += lr.cycles * l.arrayOps[i].repeat;
      macs += lr.macs * l.arrayOps[i].repeat;
    });
    return {
      model: name, gmacs: graphMacs(g) / 1e9, array_ops: l.arrayOps.length, lower_ms: t1 - t0, sim_ms: t2 - t1,
      array_cycles: cycles, utilization: macs / (arch.array.rows * arch.array.cols * Math.max(1, cycles)),
      vector_cycles: totalVectorCycles(l.vectorOps),
    };
  });
}

/** plain JS fp32 GEMM: Float32Array operands and accumulators, i-k-j order */
function plainGemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const bp = p * n, ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}

export interface FunctionalBench {
  model: string;
  macs: number;
  reference_mmac_per_s: number;
  pe_fp32_mmac_per_s: number;
  plain_gemm_mmac_per_s: number;
}

export function functionalBench(spec = 'resnet18'): FunctionalBench {
  const g = buildZooModel(spec, { weights: true, seed: 1 });
  const macs = graphMacs(g);
  const rng = makeRng(3);
  const shape = g.tensors.get(g.inputs[0])!.shape;
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
  const feeds = { [g.inputs[0]]: x };
  executeGraph(g, feeds); // warm-up
  let t = now();
  executeGraph(g, feeds, { array: fp32Backend });
  const refMs = now() - t;
  t = now();
  executeGraph(g, feeds, { array: peBackend(getPe('fp32')) });
  const peMs = now() - t;
  // a GEMM of the same total MACs: K = 576, N = 128 (a mid-network 3x3 conv), M to match
  const k = 576, n = 128, m = Math.round(macs / (k * n));
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: k * n }, () => rng.normal());
  const c = new Float32Array(m * n);
  plainGemm(a.subarray(0, 64 * k), b, c, 64, n, k); // warm-up
  t = now();
  plainGemm(a, b, c, m, n, k);
  const gemmMs = now() - t;
  return {
    model: spec, macs,
    reference_mmac_per_s: macs / refMs / 1e3,
    pe_fp32_mmac_per_s: macs / peMs / 1e3,
    plain_gemm_mmac_per_s: (m * n * k) / gemmMs / 1e3,
  };
}

export function printModelsBench(): void {
  process.stdout.write('\nmodel zoo: lowering and timing-only simulation on the scale preset (32x32 os, int8)\n');
  const rows = zooTimings();
  printTable(
    ['model', 'GMACs', 'array ops', 'build+lower ms', 'simulate ms', 'array cycles', 'utilization', 'vector cycles (16/cycle)'],
    rows.map((r) => [
      r.model, fmt(r.gmacs, 3), String(r.array_ops), fmt(r.lower_ms), fmt(r.sim_ms), String(r.array_cycles),
      fmt(100 * r.utilization) + '%', String(r.vector_cycles),
    ]),
  );
  const f = functionalBench();
  process.stdout.write(`\nfunctional fp32 execution of ${f.model} (224x224, random weights, ${fmt(f.macs / 1e9, 3)} GMACs), one run each:\n`);
  printTable(
    ['path', 'MMAC/s', 'vs plain GEMM'],
    [
      ['plain JS fp32 GEMM, same total MACs', fmt(f.plain_gemm_mmac_per_s), '1.00x'],
      ['reference executor (fp32 operands, float64 sums)', fmt(f.reference_mmac_per_s), fmt(f.reference_mmac_per_s / f.plain_gemm_mmac_per_s, 2) + 'x'],
      ['PE executor, fp32 PE (pe.dot per output)', fmt(f.pe_fp32_mmac_per_s), fmt(f.pe_fp32_mmac_per_s / f.plain_gemm_mmac_per_s, 2) + 'x'],
    ],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printModelsBench();
