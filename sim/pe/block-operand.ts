/**
 * Block operands: reals into the patterns a block PE moves (block-formats.ts,
 * BlockOperandFormat), whole vectors along the reduction dimension K at a time, since a
 * block's scale depends on all its elements.
 *
 * A GEMM's A (m x k) is quantized row by row and B (k x n) column by column, each vector cut
 * into blocks of k_b consecutive elements along K from K index 0 (MX quantization, or
 * NVFP4's recipe with one tensor scale for the whole operand). A vector whose length is not
 * a multiple of k_b ends in a shorter block. A single real (`encodeBlockOperand`) is a block
 * of one.
 */
import { elementTable, packOperand, operandElement, operandScale, type BlockOperandFormat } from './block-formats.ts';
import { decode } from './codec.ts';
import { mxSharedScale, quantizeMxBlock } from './mx-quantize.ts';
import { FLT_MAX, finiteAmax, nvfp4BlockScale, nvfp4EncodeScale, quantizeNvfp4Block } from './nvfp4.ts';

export interface QuantizedOperand {
  /** operand patterns, in the layout of the input */
  readonly codes: Float64Array;
  /**
   * NVFP4: the operand's FP32 decode scale (values read element * block scale * this), one for
   * the operand or, quantized `perVector`, one per vector; MX: 1
   */
  readonly tensorScale: number | Float64Array;
}

/**
 * Quantizes `vectors` vectors of length k: element i of vector v is values[v * vecStride + i *
 * kStride], and its pattern goes to the same index of the result. NVFP4's FP32 tensor scale is
 * taken over all the vectors, or over each vector alone with `perVector` (a causal language
 * model's per-token scaling: models/exec/token-scales.ts).
 */
export function quantizeAlongK(
  f: BlockOperandFormat, values: ArrayLike<number>, vectors: number, k: number, vecStride: number, kStride: number, perVector = false,
): QuantizedOperand {
  const b = f.block;
  const kb = b.blockSize;
  const codes = new Float64Array(values.length);
  const buf = new Float64Array(kb);
  const el = new Uint8Array(kb);
  let sEnc = 1;
  let tensorScale: number | Float64Array = 1;
  const vectorScales = b.kind === 'nvfp4' && perVector ? new Float64Array(vectors) : undefined;
  if (b.kind === 'nvfp4' && !vectorScales) {
    const picked = new Float64Array(vectors * k);
    for (let v = 0; v < vectors; v++) for (let i = 0; i < k; i++) picked[v * k + i] = values[v * vecStride + i * kStride];
    sEnc = nvfp4EncodeScale(b, finiteAmax(picked));
    tensorScale = Math.fround(1 / sEnc);
  }
  const vector = new Float64Array(vectorScales ? k : 0);
  for (let v = 0; v < vectors; v++) {
    if (vectorScales && b.kind === 'nvfp4') {
      for (let i = 0; i < k; i++) vector[i] = values[v * vecStride + i * kStride];
      sEnc = nvfp4EncodeScale(b, finiteAmax(vector));
      vectorScales[v] = Math.fround(1 / sEnc);
    }
    for (let k0 = 0; k0 < k; k0 += kb) {
      const len = Math.min(kb, k - k0);
      for (let i = 0; i < len; i++) buf[i] = values[v * vecStride + (k0 + i) * kStride];
      const scale = b.kind === 'mx' ? quantizeMxBlock(b, buf, 0, len, el, 0) : quantizeNvfp4Block(b, buf, 0, len, sEnc, el, 0);
      for (let i = 0; i < len; i++) codes[v * vecStride + (k0 + i) * kStride] = packOperand(f, el[i], scale, i === 0);
    }
  }
  return { codes, tensorScale: vectorScales ?? tensorScale };
}

/**
 * Where B (k x n, row-major, quantized column by column along K; NVFP4's tensor scale per
 * column) quantizes its first rows as it quantizes them alone: same[q * n + j] is 1 when rows
 * 0..q of column j, quantized as a vector of their own, get the patterns (and NVFP4 tensor
 * scale) they get in the whole column. The blocks before the one holding row q are whole in
 * both; that block is cut at q, so its scale (the E8M0 scale of MX: the binade of its largest
 * magnitude; NVFP4's E4M3 scale) must be the same over its rows up to q as over all of them,
 * and NVFP4's column scale over rows 0..q the same as over the column. Element patterns are
 * then the same (each depends on its value and the scales only). A GEMM row of A that is 0
 * beyond K index q computes the same from either (its zero products add nothing to a block's
 * exact sum) unless a later row of the column is NaN or infinite (its block reads NaN, and 0
 * times NaN is NaN): such q are not marked either. How a language model's attention reads V
 * over the keys up to each query (models/exec/token-scales.ts) without quantizing V once per
 * query.
 */
export function samePrefixPatterns(f: BlockOperandFormat, b: ArrayLike<number>, k: number, n: number): Uint8Array {
  const blk = f.block;
  const kb = blk.blockSize;
  const same = new Uint8Array(k * n);
  const one = new Float64Array(1);
  // the scale of a block from its largest magnitude (NaN: a non-finite element); MX's depends on nothing else
  const mxScale = (amax: number) => {
    one[0] = amax;
    return blk.kind === 'mx' ? mxSharedScale(blk, one, 0, 1).code : 0;
  };
  for (let j = 0; j < n; j++) {
    // NVFP4: the column's encode scale over rows 0..q (running finite amax) against the whole column's
    let colAmax = 0, lastNonFinite = -1;
    for (let q = 0; q < k; q++) {
      const a = Math.abs(Math.fround(b[q * n + j]));
      if (a <= FLT_MAX && a > colAmax) colAmax = a;
      if (!(a <= FLT_MAX)) lastNonFinite = q;
    }
    const sEnc = blk.kind === 'nvfp4' ? nvfp4EncodeScale(blk, colAmax) : 1;
    let runCol = 0;
    for (let k0 = 0; k0 < k; k0 += kb) {
      const k1 = Math.min(k, k0 + kb);
      let amax = 0;
      for (let q = k0; q < k1; q++) amax = maxMagnitude(amax, b[q * n + j]);
      const whole = blk.kind === 'mx' ? mxScale(amax) : Number.isNaN(amax) ? -1 : nvfp4BlockScale(blk, amax, sEnc);
      let run = 0;
      for (let q = k0; q < k1; q++) {
        const v = b[q * n + j];
        run = maxMagnitude(run, v);
        let ok: boolean;
        if (blk.kind === 'mx') ok = mxScale(run) === whole;
        else {
          const a = Math.abs(Math.fround(v));
          if (a <= FLT_MAX && a > runCol) runCol = a;
          const se = nvfp4EncodeScale(blk, runCol);
          ok = se === sEnc && (Number.isNaN(run) ? whole === -1 : whole !== -1 && nvfp4BlockScale(blk, run, se) === whole);
        }
        same[q * n + j] = ok && q >= lastNonFinite ? 1 : 0;
      }
    }
  }
  return same;
}

/** The largest magnitude so far and |v| (as fp32); NaN once a non-finite value is seen. */
function maxMagnitude(amax: number, v: number): number {
  const a = Math.abs(Math.fround(v));
  if (!(a <= FLT_MAX) || Number.isNaN(amax)) return NaN;
  return a > amax ? a : amax;
}

/** A single real as a block of one (its own scale, the block-start flag set). */
export function encodeBlockOperand(f: BlockOperandFormat, x: number): number {
  return quantizeAlongK(f, [x], 1, 1, 1, 1).codes[0];
}

/** The value of a pattern: element * its block's scale (NVFP4's tensor scale not included). */
export function decodeBlockOperand(f: BlockOperandFormat, bits: number): number {
  const b = f.block;
  return elementTable(b.element)[operandElement(f, bits)] * decode(b.scale, operandScale(f, bits));
}
