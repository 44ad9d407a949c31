/**
 * Multiplier error rows for the block formats, beside the PE kinds' in `precision mul`: the
 * sample sequence is quantized block by block (consecutive samples share a block, as the
 * elements along K of a GEMM do), each product of two dequantized elements is exact, and
 * it is compared with the exact product of the reals.
 */
import { blockFormats } from './block-formats.ts';
import { dequantizeBlocks, quantizeBlocks } from './block-tensor.ts';
import type { MulErrorRow } from './precision.ts';

export function blockMulRows(x: Float64Array, y: Float64Array): MulErrorRow[] {
  return blockFormats().map((f) => {
    const va = dequantizeBlocks(quantizeBlocks(f, x)), vb = dequantizeBlocks(quantizeBlocks(f, y));
    let sum = 0, bias = 0, max = 0, n = 0, nonFinite = 0;
    for (let i = 0; i < x.length; i++) {
      const r = va[i] * vb[i];
      if (!Number.isFinite(r)) {
        nonFinite++;
        continue;
      }
      const p = x[i] * y[i];
      const e = (r - p) / Math.abs(p);
      sum += Math.abs(e);
      bias += p > 0 ? e : -e;
      if (Math.abs(e) > max) max = Math.abs(e);
      n++;
    }
    return {
      kind: f.name,
      input_rounding: 'rne',
      scaling: f.kind === 'mx' ? `E8M0 per ${f.blockSize}` : `E4M3 per ${f.blockSize} + FP32 per tensor`,
      mean_rel_error: n ? sum / n : NaN,
      max_rel_error: max,
      mean_bias: n ? bias / n : NaN,
      non_finite: nonFinite,
    };
  });
}
