/**
 * Per-tensor scaling of real values into a PE's operand format (symmetric, no zero point), as
 * the functional executor quantizes a model's tensors:
 *   float formats: none (scale 1);
 *   integer formats: max|x| / max code (int8: 127, int4: 7);
 *   binary: mean|x| (XNOR-Net's alpha, per tensor);
 *   ternary: mean|x| (values beyond half of it round to +-1: close to TWN's 0.7 mean threshold).
 * The value stored is x / scale, quantized by the PE (quantizeInput / quantizeWeight).
 */
import type { NumberFormat } from './formats.ts';

export function tensorScale(f: NumberFormat, data: ArrayLike<number>): number {
  switch (f.kind) {
    case 'float':
      return 1;
    case 'int': {
      let mx = 0;
      for (let i = 0; i < data.length; i++) {
        const v = Math.abs(data[i]);
        if (v > mx) mx = v;
      }
      return mx > 0 ? mx / f.max : 1;
    }
    case 'binary':
    case 'ternary': {
      let s = 0;
      for (let i = 0; i < data.length; i++) s += Math.abs(data[i]);
      return s > 0 ? s / data.length : 1;
    }
    case 'block':
      return 1; // block PEs scale per block (and NVFP4 per tensor) as they quantize
    case 'exp':
      throw new Error(`${f.name} is a scale format, not an operand format`);
  }
}
