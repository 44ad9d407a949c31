/**
 * The fast engine: fold by fold, closed forms for cycles and SRAM accesses (the dataflow's
 * `foldSram`), and output bits from strictly ordered dot products (ordered-gemm.ts: the order
 * the dataflow adds products in, partial sums through the partial-sum store between folds).
 * No per-cycle state: memory is O(folds) for timing-only runs.
 */
import { validCount } from '../workload/im2col.ts';
import { setFold, type MutableFold } from '../dataflows/mapping.ts';
import type { EngineInput, EngineResult, SramCounts } from './types.ts';
import { orderedGemm } from './ordered-gemm.ts';

export function fastEngine(input: EngineInput): EngineResult {
  const { layer, mapping: mp } = input;
  const realA = (m0: number, m1: number, k0: number, k1: number): number =>
    input.countPadReads ? (m1 - m0) * (k1 - k0) : validCount(layer, m0, m1, k0, k1);
  const { m, n, k } = mp.gemm;
  const sram: SramCounts = { ifmap_reads: 0, filter_reads: 0, ofmap_reads: 0, ofmap_writes: 0 };
  // every fold in the mapping's loop order (column folds outside, row folds inside), through
  // one Fold rewritten per fold (foldSram reads it during the call only): an object per fold
  // was most of a timing sweep's garbage (10^5 folds a network on small arrays)
  const f: MutableFold = { fr: 0, fc: 0, ru: 0, cu: 0, r0: 0, c0: 0 };
  for (let fc = 0; fc < mp.colFolds; fc++) {
    for (let fr = 0; fr < mp.rowFolds; fr++) mp.rules.foldSram(mp, setFold(mp, fr, fc, f), realA, sram);
  }
  const result: EngineResult = {
    foldCycles: new Int32Array(mp.folds).fill(mp.foldCycles),
    computeCycles: mp.folds * mp.foldCycles,
    macs: m * n * k,
    sram,
  };
  const ops = input.operands;
  if (!ops) return result;
  const states = orderedGemm(mp.rules, mp.rows, ops.pe, ops.psum, { a: ops.a, b: ops.b, bRow: n, bCol: 1 }, m, n, k, ops.accumulate);
  const out = new Float64Array(m * n);
  for (let idx = 0; idx < m * n; idx++) out[idx] = ops.psum.bits(states[idx]);
  return { ...result, out };
}
