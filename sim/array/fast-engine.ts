/**
 * The fast engine: fold by fold, closed forms for cycles and SRAM accesses, and output bits
 * from strictly ordered dot products (the order the dataflow adds products in). No per-cycle
 * state: memory is O(folds) for timing-only runs.
 *
 * Accumulation order per output (m, n):
 *   os: one PE adds k = 0 .. K-1 in order; the result leaves once (partial-sum format).
 *   ws, is: fold fr adds k in [fr*R, fr*R + rows) down a column, starting from the partial sum
 *   that fold fr-1 stored (partial-sum format), and stores its result the same way.
 */
import { validCount } from '../schedulers/im2col.ts';
import { colsUsed, rowsUsed } from '../schedulers/mapping.ts';
import type { EngineInput, EngineResult, Operands, SramCounts } from './types.ts';
import type { Mapping } from '../schedulers/mapping.ts';

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
  const { pe, psum, a, b } = ops;
  const out = new Float64Array(m * n);
  if (mp.dataflow === 'os') {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        out[i * n + j] = psum.bits(pe.dot(a, i * k, 1, b, j, n, k, pe.accZero));
      }
    }
    return out;
  }
  // ws and is: the window (K) is folded over the array rows
  const state = new Float64Array(m * n).fill(pe.accZero);
  for (let fr = 0; fr < mp.rowFolds; fr++) {
    const k0 = fr * mp.rows;
    const ku = Math.min(mp.rows, k - k0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const idx = i * n + j;
        state[idx] = psum.roundTrip(pe.dot(a, i * k + k0, 1, b, k0 * n + j, n, ku, state[idx]));
      }
    }
  }
  for (let idx = 0; idx < m * n; idx++) out[idx] = psum.bits(state[idx]);
  return out;
}
