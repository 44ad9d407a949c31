/**
 * The fast engine: fold by fold, closed forms for cycles and SRAM accesses, and output bits
 * from strictly ordered dot products (the order the dataflow adds products in). No per-cycle
 * state: memory is O(folds) for timing-only runs.
 *
 * Output bits: ordered-gemm.ts (the dataflow's accumulation order, partial sums through the
 * partial-sum store between folds).
 */
import { validCount } from '../workload/im2col.ts';
import { colsUsed, rowsUsed } from '../dataflows/mapping.ts';
import type { EngineInput, EngineResult, Operands, SramCounts } from './types.ts';
import type { Mapping } from '../dataflows/mapping.ts';
import { orderedGemm } from './ordered-gemm.ts';

export function fastEngine(input: EngineInput): EngineResult {
  const { layer, mapping: mp } = input;
  const rect = (m0: number, m1: number, k0: number, k1: number): number =>
    input.countPadReads ? (m1 - m0) * (k1 - k0) : validCount(layer, m0, m1, k0, k1);
  const { m, n, k } = mp.gemm;
  const sram: SramCounts = { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 };
  for (let fc = 0; fc < mp.colFolds; fc++) {
    const cu = colsUsed(mp, fc);
    const c0 = fc * mp.cols;
    for (let fr = 0; fr < mp.rowFolds; fr++) {
      const ru = rowsUsed(mp, fr);
      const r0 = fr * mp.rows;
      if (mp.dataflow === 'os') {
        sram.ifmap_reads += rect(r0, r0 + ru, 0, k);
        sram.filter_reads += k * cu;
        sram.ofmap_writes += ru * cu;
      } else if (mp.dataflow === 'ws') {
        sram.ifmap_reads += rect(0, m, r0, r0 + ru);
        sram.filter_reads += ru * cu;
        sram.ofmap_writes += m * cu;
        if (fr > 0) sram.ofmap_reads += m * cu;
      } else {
        sram.ifmap_reads += rect(c0, c0 + cu, r0, r0 + ru);
        sram.filter_reads += ru * n;
        sram.ofmap_writes += cu * n;
        if (fr > 0) sram.ofmap_reads += cu * n;
      }
    }
  }
  const foldCycles = new Int32Array(mp.folds).fill(mp.foldCycles);
  const result: EngineResult = {
    foldCycles,
    computeCycles: mp.folds * mp.foldCycles,
    macs: m * n * k,
    sram,
  };
  return input.operands ? { ...result, out: fastValues(mp, input.operands) } : result;
}

function fastValues(mp: Mapping, ops: Operands): Float64Array {
  const { m, n, k } = mp.gemm;
  const states = orderedGemm(mp.dataflow, mp.rows, ops.pe, ops.psum, { a: ops.a, b: ops.b, bRow: n, bCol: 1 }, m, n, k);
  const out = new Float64Array(m * n);
  for (let idx = 0; idx < m * n; idx++) out[idx] = ops.psum.bits(states[idx]);
  return out;
}
