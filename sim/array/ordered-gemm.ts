/**
 * The output values of a GEMM as the array computes them: every product through the PE, the
 * additions in the order the dataflow performs them, partial sums stored and re-read in the
 * partial-sum format between folds. Shared by the fast engine and the functional executor,
 * so a model's accuracy is measured on the same bits a `bitweave run --functional` produces.
 *
 * The dataflow says how many products enter an output before its partial sum leaves the array
 * (`productsPerPass`): os all K (one PE adds k = 0 .. K-1 in order, the result leaves once);
 * ws, is R (row fold f adds k in [f*R, f*R + R) down a column of R PEs). How fold f's sum meets
 * the partial sum of folds 0..f-1 is the arch's accumulation structure (stationary.ts):
 *   'top'   the column starts from the stored partial sum: S_f = store(dot(S_{f-1}; products of f))
 *   'below' the column starts from zero and the accumulator below the array adds:
 *           S_0 = store(leave(dot(0; products of 0))),
 *           S_f = store(addAcc(S_{f-1}, leave(dot(0; products of f))))
 * where dot adds in k order in the PE's accumulator, leave() is the column's result as it leaves
 * the PE (in the accumulator format: a wider internal adder rounds there) and store() is the
 * round trip through the partial-sum format.
 */
import type { Accumulate } from '../arch/schema.ts';
import type { DataflowRules } from '../dataflows/types.ts';
import { tileKernelOf } from '../pe/tile-kernels.ts';
import type { FreshWeights, PeKind, PreparedWeights } from '../pe/types.ts';
import type { NarrowFormat } from '../pe/wasm/narrow-quantize.ts';
import type { PsumStore } from './psum.ts';

export interface GemmOperands {
  /** A, m x k row-major bit patterns of the PE's input format */
  readonly a: ArrayLike<number>;
  /** B bit patterns of the weight format: element (p, j) at b[p * bRow + j * bCol] */
  readonly b: ArrayLike<number>;
  readonly bRow: number;
  readonly bCol: number;
  /** B already laid out for the PE's tile kernel (callers that reuse weights prepare them once) */
  readonly prepared?: PreparedWeights;
  /**
   * Per row i of the result, the outputs j < cols[i] are the ones anything reads (a causal
   * mask discards the rest, models/exec/read-columns.ts): a tile kernel may leave the rest +0.
   */
  readonly cols?: Int32Array;
}

/**
 * Accumulator states of the m x n outputs, after their last trip through the psum store; in the
 * first m x n entries of `into` where given (a buffer the caller reuses from call to call).
 */
export function orderedGemm(
  dataflow: DataflowRules, rows: number, pe: PeKind, psum: PsumStore,
  ops: GemmOperands, m: number, n: number, k: number, accumulate: Accumulate = 'top', into?: Float64Array,
): Float64Array {
  const { a, b, bRow, bCol } = ops;
  // every path below sets each entry before it reads one: a reused buffer needs no clearing
  const out = into ? into.subarray(0, m * n) : new Float64Array(m * n);
  const pass = dataflow.productsPerPass(rows, k);
  const tile = tileKernelOf(pe);
  if (tile) {
    // the PE's tile kernel: the same additions per output, whole tiles at a time
    const w = ops.prepared?.kernel === tile ? ops.prepared : tile.prepare(b, bRow, bCol, k, n);
    out.fill(pe.accZero);
    // states of +0 that a kernel may take unread (sim/pe/types.ts TileKernel.pass)
    const fresh = Object.is(pe.accZero, 0);
    if (onePass(pass, k, pe, psum, accumulate)) {
      tile.pass(a, w, m, 0, k, out, fresh, ops.cols);
      return out;
    }
    if (accumulate === 'top' || pass >= k) {
      for (let k0 = 0; k0 < k; k0 += pass) {
        tile.pass(a, w, m, k0, Math.min(pass, k - k0), out, fresh && k0 === 0);
        for (let idx = 0; idx < m * n; idx++) out[idx] = psum.roundTrip(out[idx]);
      }
      return out;
    }
    // 'below': each fold's column sums start from zero and meet the stored partial sum below
    const col = new Float64Array(m * n);
    for (let k0 = 0; k0 < k; k0 += pass) {
      col.fill(pe.accZero);
      tile.pass(a, w, m, k0, Math.min(pass, k - k0), col, fresh);
      for (let idx = 0; idx < m * n; idx++) {
        const column = leaveColumn(pe, col[idx]);
        out[idx] = psum.roundTrip(k0 === 0 ? column : pe.addAcc(out[idx], column));
      }
    }
    return out;
  }
  if (pass >= k) {
    // one pass over K (os, or a window that fits the column): no partial sum leaves early
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) out[i * n + j] = psum.roundTrip(pe.dot(a, i * k, 1, b, j * bCol, bRow, k, pe.accZero));
    }
    return out;
  }
  out.fill(pe.accZero);
  for (let k0 = 0; k0 < k; k0 += pass) {
    const ku = Math.min(pass, k - k0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const idx = i * n + j;
        if (accumulate === 'top') {
          out[idx] = psum.roundTrip(pe.dot(a, i * k + k0, 1, b, k0 * bRow + j * bCol, bRow, ku, out[idx]));
          continue;
        }
        const column = leaveColumn(pe, pe.dot(a, i * k + k0, 1, b, k0 * bRow + j * bCol, bRow, ku, pe.accZero));
        out[idx] = psum.roundTrip(k0 === 0 ? column : pe.addAcc(out[idx], column));
      }
    }
  }
  return out;
}

/**
 * orderedGemm's results as fp32 values written into `o` (m x n), where the PE's tile kernel
 * takes the whole GEMM in one pass from +0 states and leaves fp32 values (the float kinds'
 * WebAssembly rows): the same bits as orderedGemm's states, without float64 states filled,
 * copied and converted. False where it does not (then `o` is not written).
 */
export function orderedGemmFp32(
  dataflow: DataflowRules, rows: number, pe: PeKind, psum: PsumStore,
  ops: GemmOperands, m: number, n: number, k: number, accumulate: Accumulate, o: Float32Array,
): boolean {
  const tile = tileKernelOf(pe);
  if (!tile?.passFp32 || !Object.is(pe.accZero, 0) || !onePass(dataflow.productsPerPass(rows, k), k, pe, psum, accumulate)) return false;
  const w = ops.prepared?.kernel === tile ? ops.prepared : tile.prepare(ops.b, ops.bRow, ops.bCol, k, n);
  return tile.passFp32(ops.a, w, m, o.subarray(0, m * n), ops.cols);
}

/**
 * orderedGemmFp32 from fp32 operands, quantized where the tile kernel reads them (TileKernel
 * passFp32Values): A with the input format's rows `aRows`, B prepared or fp32 values read by
 * this call only; with `bias` (n values) added to each row, each sum a binary32 addition. The
 * same bits as orderedGemmFp32 on the operands' codes (and the bias added after); false where
 * the kernel does not take the GEMM so (then `o` is not written).
 */
export function orderedGemmFp32Values(
  dataflow: DataflowRules, rows: number, pe: PeKind, psum: PsumStore,
  a: Float32Array, aRows: NarrowFormat, b: PreparedWeights | FreshWeights, m: number, n: number, k: number,
  accumulate: Accumulate, o: Float32Array, cols?: Int32Array, bias?: Float32Array,
): boolean {
  const tile = tileKernelOf(pe);
  if (!tile?.passFp32Values || !Object.is(pe.accZero, 0) || !onePass(dataflow.productsPerPass(rows, k), k, pe, psum, accumulate)) return false;
  if (b.k !== k || b.n !== n || (!('rows' in b) && b.kernel !== tile)) return false;
  return tile.passFp32Values(a, aRows, b, m, o.subarray(0, m * n), cols, bias);
}

/**
 * Whether a tile kernel's one pass over all K gives the array's states: every product enters
 * before a partial sum leaves (pass >= k), or the partial sums start each fold from the stored
 * one ('top') through a store that gives every state back, which joins the folds into each
 * output's products in k order from its state (the kernels' contract). Not on a block PE with
 * folds: a fold that cuts a block rounds its two parts into the accumulator apart, and
 * promotion restarts at every fold (block-pe.ts), so each fold is its own pass.
 */
function onePass(pass: number, k: number, pe: PeKind, psum: PsumStore, accumulate: Accumulate): boolean {
  return psum.identity && (pass >= k || (accumulate === 'top' && !pe.block));
}

/** A column's sum as it leaves the bottom PE: in the accumulator format (a wider internal adder rounds here). */
export function leaveColumn(pe: PeKind, acc: number): number {
  return pe.accFromBits(pe.accToBits(acc));
}
