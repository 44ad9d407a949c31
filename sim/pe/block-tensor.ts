/**
 * A vector quantized into a block format: element codes, one scale code per block, and (for
 * NVFP4) the tensor's FP32 decode scale. Block b holds elements [b*k, min((b+1)*k, n)); a
 * vector whose length is not a multiple of k ends in a shorter block (the same result as
 * padding it with zeros, which never changes a block's largest magnitude).
 */
import { decode } from './codec.ts';
import { elementTable, type BlockFormat } from './block-formats.ts';
import { quantizeMxBlock } from './mx-quantize.ts';
import { finiteAmax, nvfp4EncodeScale, quantizeNvfp4Block } from './nvfp4.ts';

export interface BlockTensor {
  readonly format: BlockFormat;
  /** number of elements */
  readonly length: number;
  /** element codes, one per element */
  readonly codes: Uint8Array;
  /** scale codes (E8M0 for MX, E4M3 for NVFP4), one per block */
  readonly scales: Uint8Array;
  /** NVFP4: the per-tensor decode scale S_dec (fp32); MX: 1 */
  readonly tensorScale: number;
}

export function blockCount(f: BlockFormat, n: number): number {
  return Math.ceil(n / f.blockSize);
}

/** Quantizes values into f, block by block. */
export function quantizeBlocks(f: BlockFormat, values: ArrayLike<number>): BlockTensor {
  const n = values.length;
  const k = f.blockSize;
  const codes = new Uint8Array(n);
  const scales = new Uint8Array(blockCount(f, n));
  let tensorScale = 1;
  if (f.kind === 'mx') {
    for (let b = 0; b < scales.length; b++) scales[b] = quantizeMxBlock(f, values, b * k, Math.min(k, n - b * k), codes, b * k);
  } else {
    const sEnc = nvfp4EncodeScale(f, finiteAmax(values));
    tensorScale = Math.fround(1 / sEnc);
    for (let b = 0; b < scales.length; b++) {
      scales[b] = quantizeNvfp4Block(f, values, b * k, Math.min(k, n - b * k), sEnc, codes, b * k);
    }
  }
  return { format: f, length: n, codes, scales, tensorScale };
}

/** The real value of a block's scale (NaN for a NaN scale; NVFP4's tensor scale not included). */
export function scaleValue(f: BlockFormat, code: number): number {
  return decode(f.scale, code);
}

/** The value of every element: element * block scale (* tensor scale). Exact in float64. */
export function dequantizeBlocks(t: BlockTensor): Float64Array {
  const f = t.format;
  const table = elementTable(f.element);
  const out = new Float64Array(t.length);
  const k = f.blockSize;
  for (let b = 0, off = 0; off < t.length; b++, off += k) {
    // a NaN scale makes every element NaN, whatever its code (0 * NaN is NaN too)
    const s = scaleValue(f, t.scales[b]) * t.tensorScale;
    const end = Math.min(off + k, t.length);
    for (let i = off; i < end; i++) out[i] = table[t.codes[i]] * s;
  }
  return out;
}
