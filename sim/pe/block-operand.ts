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
import { quantizeMxBlock } from './mx-quantize.ts';
import { finiteAmax, nvfp4EncodeScale, quantizeNvfp4Block } from './nvfp4.ts';

export interface QuantizedOperand {
  /** operand patterns, in the layout of the input */
  readonly codes: Float64Array;
  /** NVFP4: the operand's FP32 decode scale (values read element * block scale * this); MX: 1 */
  readonly tensorScale: number;
}

/**
 * Quantizes `vectors` vectors of length k: element i of vector v is values[v * vecStride + i *
 * kStride], and its pattern goes to the same index of the result.
 */
export function quantizeAlongK(
  f: BlockOperandFormat, values: ArrayLike<number>, vectors: number, k: number, vecStride: number, kStride: number,
): QuantizedOperand {
  const b = f.block;
  const kb = b.blockSize;
  const codes = new Float64Array(values.length);
  const buf = new Float64Array(kb);
  const el = new Uint8Array(kb);
  let sEnc = 1, tensorScale = 1;
  if (b.kind === 'nvfp4') {
    const picked = new Float64Array(vectors * k);
    for (let v = 0; v < vectors; v++) for (let i = 0; i < k; i++) picked[v * k + i] = values[v * vecStride + i * kStride];
    sEnc = nvfp4EncodeScale(b, finiteAmax(picked));
    tensorScale = Math.fround(1 / sEnc);
  }
  for (let v = 0; v < vectors; v++) {
    for (let k0 = 0; k0 < k; k0 += kb) {
      const len = Math.min(kb, k - k0);
      for (let i = 0; i < len; i++) buf[i] = values[v * vecStride + (k0 + i) * kStride];
      const scale = b.kind === 'mx' ? quantizeMxBlock(b, buf, 0, len, el, 0) : quantizeNvfp4Block(b, buf, 0, len, sEnc, el, 0);
      for (let i = 0; i < len; i++) codes[v * vecStride + (k0 + i) * kStride] = packOperand(f, el[i], scale, i === 0);
    }
  }
  return { codes, tensorScale };
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
