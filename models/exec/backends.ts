/**
 * Array backends of the functional executor: how a GEMM of real operands is computed.
 *
 * - `fp32Backend`: the plain fp32 reference (operands are fp32 values; products and sums in
 *   float64, the result rounded once to fp32: the baseline every PE kind is compared with).
 * - `peBackend(pe)`: the PE arithmetic. Operands are quantized per tensor into the PE's
 *   formats (bit patterns), the GEMM runs through a pluggable `PeGemm` (default: output-
 *   stationary order, each output one `pe.dot` over k = 0..K-1, which is the order the OS
 *   dataflow adds products on the array), and the accumulator values are rescaled.
 *
 * Per-tensor scaling (symmetric, no zero point):
 *   float formats: none (scale 1);
 *   block formats (MX, NVFP4): their own, per block along K as they quantize (and NVFP4's
 *     FP32 tensor scale applied to the results; per token in a language model, `GemmUse.tokens`);
 *   integer formats: max|x| / max code (int8: 127, int4: 7);
 *   binary: mean|x| (XNOR-Net's alpha, per tensor);
 *   ternary: mean|x| (values beyond half of it round to +-1: close to TWN's 0.7 mean threshold).
 * A GEMM's scales may also be finer than the tensor (`OperandScale`): one per row of A (per
 * token) and one per column of B (per output channel, or per key in Q K^T), each dividing its
 * row's or column's values before they are quantized and multiplying its outputs after: how a
 * causal language model runs (models/exec/token-scales.ts).
 */
import { gemmF64Wasm } from '../../sim/pe/wasm/f64-gemm.ts';
import { tensorScale } from '../../sim/pe/tensor-scale.ts';
import { samePrefixPatterns } from '../../sim/pe/block-operand.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import type { NarrowFormat } from '../../sim/pe/wasm/narrow-quantize.ts';

export { tensorScale };

/**
 * The scale of a GEMM operand: one for the whole tensor, or one per row of A (m entries) / per
 * column of B (n entries).
 */
export type OperandScale = number | Float64Array;

/** The scale of row (of A) or column (of B) `i`. */
const scaleAt = (s: OperandScale, i: number): number => (typeof s === 'number' ? s : s[i]);

/** How a GEMM's operands are used, beyond their values. */
export interface GemmUse {
  /**
   * B is an activation read by this call only (an attention matmul's keys or values), whose
   * layout is not kept: keyed by a view made for the call, such an entry could never be hit and
   * only held its quantized arrays (~2 MB per language-model window) until a collection found
   * the view dead.
   */
  readonly once?: boolean;
  /**
   * A causal language model's GEMM, scaled per token (models/exec/token-scales.ts): a block
   * format's tensor scale (NVFP4's FP32 scale) is taken per row of A (per token, per query), and
   * per column of B where B is an activation (`once`: per key of K^T), never over the window.
   */
  readonly tokens?: boolean;
  /**
   * Per row i of the result, only outputs j < cols[i] are read afterwards (a causal mask's
   * scores, models/exec/read-columns.ts): a backend may leave the others uncomputed, at any value.
   */
  readonly cols?: Int32Array;
  /**
   * gemmFp32 only: a linear layer's bias, n values added to each row of fp32 results, each sum a
   * binary32 addition (the vector unit's, as a separate add node computes it)
   */
  readonly bias?: Float32Array;
}

export interface ArrayBackend {
  readonly name: string;
  /** block PEs (MX, NVFP4): the block size along K their scales are taken over as they quantize */
  readonly blockSize?: number;
  /**
   * Block PEs: where an activation B (k x n, quantized as `gemm` with `tokens` and `once` does)
   * gives its first rows the patterns they get quantized alone: 1 at q * n + j when rows 0..q of
   * column j do (sim/pe/block-operand.ts samePrefixPatterns).
   */
  samePrefix?(b: Float32Array, k: number, n: number): Uint8Array;
  /** per-tensor scale of an operand tensor (1 for float formats) */
  scale(data: Float32Array, role: 'input' | 'weight'): number;
  /**
   * The narrow float format `gemm` and `gemmFp32` round each fp32 activation (A) into, value by
   * value at scale 1, where that is all they do with one (the float kinds); undefined where
   * activations are scaled, taken in blocks or no floats. A producer whose one reader is such a
   * GEMM need give only values that round as its exact ones do (models/exec/fusion.ts, GELU).
   */
  inputRounding?(): NarrowFormat | undefined;
  /**
   * C = A . B for row-major A (m x k) and B (k x n) of real values (A already divided by
   * nothing: the backend applies `sa`, `sb`); returns the m x n real results. A and B are
   * read during the call only (a caller may reuse A's buffer for its next GEMM, never B's:
   * backends cache B's quantized layout by the array, as weights are the same arrays call
   * after call; an activation B must be a new array, or a new view, per call, or be passed
   * `once`). Block PEs scale by block and take no other scale. `out` (at least m x n long),
   * where given, is where the backend may put the results: the array returned is then either
   * its first m x n entries or a new one, read before `out` is used again (a caller that
   * reuses one buffer for every GEMM spares the allocation and garbage collection of a result
   * per call).
   */
  gemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number, sa: OperandScale, sb: OperandScale, out?: Float64Array, use?: GemmUse): Float64Array;
  /**
   * The same GEMM with its results rounded to fp32 written into `o` (m x n), for a backend whose
   * results are its states (the float kinds) where no scale applies (sa = sb = 1): without
   * float64 results between where the PE's tile kernel takes the GEMM whole. False, before any
   * work, where a scale applies (then `o` is not written and the caller runs `gemm`).
   */
  gemmFp32?(a: Float32Array, b: Float32Array, m: number, n: number, k: number, sa: OperandScale, sb: OperandScale, o: Float32Array, use?: GemmUse): boolean;
}

/**
 * Operands divided by their scales and quantized (into `out` where given): A row by row (rows
 * of `width` = k, one scale per row) or B column by column (rows of `width` = n, one scale per
 * column); a number scales all.
 */
export function quantizeScaled(
  x: Float32Array, s: OperandScale, byRow: boolean, width: number, q: (v: number) => number, out: Uint32Array = new Uint32Array(x.length),
): Uint32Array {
  if (typeof s === 'number') {
    const inv = 1 / s;
    if (s === 1) for (let i = 0; i < x.length; i++) out[i] = q(x[i]);
    else for (let i = 0; i < x.length; i++) out[i] = q(x[i] * inv);
    return out;
  }
  // per row (A: element i is in row floor(i / width)) or per column (B: column i % width)
  const inv = Float64Array.from(s, (v) => 1 / v);
  for (let i = 0; i < x.length; i++) {
    const r = byRow ? Math.floor(i / width) : i % width;
    out[i] = s[r] === 1 ? q(x[i]) : q(x[i] * inv[r]);
  }
  return out;
}

/** Accumulator values (m x n) times their row's and column's scales (nothing when both are 1). */
export function rescale(values: Float64Array, sa: OperandScale, sb: OperandScale, n: number): void {
  if (typeof sa === 'number' && typeof sb === 'number') {
    const s = sa * sb;
    if (s !== 1) for (let i = 0; i < values.length; i++) values[i] *= s;
    return;
  }
  for (let i = 0; i < values.length; i++) values[i] *= scaleAt(sa, Math.floor(i / n)) * scaleAt(sb, i % n);
}

/**
 * Plain GEMM: float64 products and sums of fp32 operands, each output's products added in k
 * order (zero activations skipped), the result left in float64.
 *
 * One row of A is walked once for its non-zero entries; then the row's outputs sum their
 * products in registers, eight at a time, over B's rows as they are (output j's weight at
 * p * n + j: contiguous for the eight). The same loop as the exact rows of
 * sim/pe/tile-kernels.ts, written out here for fp32 operands: one function over both
 * Float32Array and Float64Array weights would make V8's element loads polymorphic in the
 * innermost loop, and copying B to float64 would double an m = 1 GEMM (the LM's decode).
 */
export function gemmF64(a: Float32Array, b: Float32Array, m: number, n: number, k: number, out?: Float64Array): Float64Array {
  // the WebAssembly kernel widens B once per call: worth it from a few rows on (not the decode's m = 1)
  if (m >= 4) {
    const c = gemmF64Wasm(a, b, m, n, k, out !== undefined);
    if (c && out) {
      const r = out.subarray(0, m * n);
      r.set(c);
      return r;
    }
    if (c) return c;
  }
  return gemmF64Loop(a, b, m, n, k, out);
}

/** gemmF64 in TypeScript: the reference path of the WebAssembly kernel (results into `out` where given). */
export function gemmF64Loop(a: Float32Array, b: Float32Array, m: number, n: number, k: number, out?: Float64Array): Float64Array {
  const c = out ? out.subarray(0, m * n) : new Float64Array(m * n);
  const av = new Float64Array(k), ap = new Int32Array(k);
  for (let i = 0; i < m; i++) {
    const ai = i * k, ci = i * n;
    let t = 0;
    for (let p = 0; p < k; p++) {
      const v = a[ai + p];
      if (v === 0) continue;
      av[t] = v;
      ap[t++] = p * n;
    }
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let u = 0; u < t; u++) {
        const x = av[u], q = ap[u] + j;
        s0 += x * b[q];
        s1 += x * b[q + 1];
        s2 += x * b[q + 2];
        s3 += x * b[q + 3];
        s4 += x * b[q + 4];
        s5 += x * b[q + 5];
        s6 += x * b[q + 6];
        s7 += x * b[q + 7];
      }
      const o = ci + j;
      c[o] = s0;
      c[o + 1] = s1;
      c[o + 2] = s2;
      c[o + 3] = s3;
      c[o + 4] = s4;
      c[o + 5] = s5;
      c[o + 6] = s6;
      c[o + 7] = s7;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let u = 0; u < t; u++) s += av[u] * b[ap[u] + j];
      c[ci + j] = s;
    }
  }
  return c;
}

export const fp32Backend: ArrayBackend = {
  name: 'fp32-reference',
  scale: () => 1,
  gemm: (a, b, m, n, k, _sa, _sb, out) => gemmF64(a, b, m, n, k, out),
};

/** The GEMM through the PE arithmetic: A (m x k) and B (k x n) bit patterns -> accumulator values. */
export type PeGemm = (pe: PeKind, a: Uint32Array, b: Uint32Array, m: number, n: number, k: number) => Float64Array;

/** Output-stationary order: out[i][j] = pe.dot over k = 0..K-1 in order, from accZero. */
export const outputStationaryGemm: PeGemm = (pe, a, b, m, n, k) => {
  // B transposed so that each output's operands are contiguous (same order, same bits)
  const bt = new Uint32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = pe.accValue(pe.dot(a, i * k, 1, bt, j * k, 1, k, pe.accZero));
  }
  return out;
};

export interface PeBackendOptions {
  /** replaces the output-stationary GEMM (e.g. by the array engine's fold-aware path) */
  readonly gemm?: PeGemm;
}

export function peBackend(pe: PeKind, opts: PeBackendOptions = {}): ArrayBackend {
  const gemm = opts.gemm ?? outputStationaryGemm;
  const block = pe.block;
  return {
    name: `pe:${pe.name}`,
    scale: (data, role) => tensorScale(role === 'input' ? pe.input : pe.weight, data),
    ...(block && {
      blockSize: block.input.block.blockSize,
      samePrefix: (b: Float32Array, k: number, n: number) => samePrefixPatterns(block.weight, b, k, n),
    }),
    gemm: (a, b, m, n, k, sa, sb, _out, use) => {
      if (pe.block) {
        const ba = blockQuantizeA(pe, a, m, k, use?.tokens), bb = blockQuantizeB(pe, b, k, n, use?.tokens && use.once);
        return applyTensorScales(gemm(pe, ba.codes, bb.codes, m, n, k), ba.tensorScale, bb.tensorScale, n);
      }
      const qa = quantizeScaled(a, sa, true, k, (v) => pe.quantizeInput(v));
      const qb = quantizeScaled(b, sb, false, n, (v) => pe.quantizeWeight(v));
      const acc = gemm(pe, qa, qb, m, n, k);
      rescale(acc, sa, sb, n);
      return acc;
    },
  };
}

/** A block operand's tensor scale: one, or one per row of A / column of B (NVFP4 per token). */
export type BlockTensorScale = number | Float64Array;

/** A (m x k row-major) into a block PE's operands: each row in blocks along K; NVFP4's tensor scale per row with `perRow`. */
export function blockQuantizeA(pe: PeKind, a: Float32Array, m: number, k: number, perRow = false): { codes: Uint32Array; tensorScale: BlockTensorScale } {
  const q = (pe.block as NonNullable<PeKind['block']>).quantize('input', a, m, k, k, 1, perRow);
  return { codes: Uint32Array.from(q.codes), tensorScale: q.tensorScale };
}

/**
 * B (k x n row-major) into a block PE's operands: each column in blocks along K (layout kept);
 * NVFP4's tensor scale per column with `perColumn`.
 */
export function blockQuantizeB(pe: PeKind, b: Float32Array, k: number, n: number, perColumn = false): { codes: Uint32Array; tensorScale: BlockTensorScale } {
  const q = (pe.block as NonNullable<PeKind['block']>).quantize('weight', b, n, k, 1, n, perColumn);
  return { codes: Uint32Array.from(q.codes), tensorScale: q.tensorScale };
}

/**
 * NVFP4's tensor scales multiply the GEMM's results (m x n) once, in fp32 (alpha = sA * sB,
 * each the operand's, or its row's of A and column's of B); MX has none (1).
 */
export function applyTensorScales(values: Float64Array, sa: BlockTensorScale, sb: BlockTensorScale, n: number): Float64Array {
  if (typeof sa === 'number' && typeof sb === 'number') {
    if (sa === 1 && sb === 1) return values;
    const alpha = Math.fround(sa * sb);
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i] * alpha);
    return values;
  }
  for (let i = 0; i < values.length; i++) {
    const alpha = Math.fround((typeof sa === 'number' ? sa : sa[Math.floor(i / n)]) * (typeof sb === 'number' ? sb : sb[i % n]));
    values[i] = Math.fround(values[i] * alpha);
  }
  return values;
}
