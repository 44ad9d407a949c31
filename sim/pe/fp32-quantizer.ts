/**
 * Fast, exact rounding of fp32 values into narrow float formats (at most 6 mantissa bits:
 * the fp8 kinds, e8m3/e8m4...), for hot loops that quantize activations.
 *
 * Rounding an fp32 value to <= 6 mantissa bits depends on its top 16 bits (sign, exponent,
 * 7 mantissa bits: the kept bits and the guard bit) and on whether any of the low 16 bits is
 * set (they only feed the sticky bit). So two tables of 65,536 codes, built with the generic
 * encoder, give the exact result: one for a zero low half, one for a non-zero low half.
 */
import { encodeFloat, type EncodeOptions } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function fp32Of(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

export type Fp32Quantizer = (x: number) => number;

/** A quantizer for fp32 inputs (x must be an fp32 value), or undefined if f is too wide. */
export function fp32Quantizer(f: FloatFormat, opts: EncodeOptions = {}): Fp32Quantizer | undefined {
  if (f.manBits > 6 || f.bits > 16) return undefined;
  const exactLow = new Uint16Array(65536);
  const stickyLow = new Uint16Array(65536);
  // a format without NaN (OCP MX FP6/FP4) cannot encode fp32 NaN patterns: their entries
  // stay 0 and the quantizer refuses NaN before looking up, as encodeFloat does
  const noNaN = f.nanCode === undefined;
  for (let hi = 0; hi < 65536; hi++) {
    const isNaNPattern = (hi & 0x7f80) === 0x7f80 && (hi & 0x7f) !== 0;
    if (noNaN && isNaNPattern) continue;
    exactLow[hi] = encodeFloat(f, fp32Of(hi * 65536), opts);
    stickyLow[hi] = noNaN && (hi & 0x7fff) === 0x7f80 ? exactLow[hi] : encodeFloat(f, fp32Of(hi * 65536 + 1), opts);
  }
  if (noNaN) {
    return (x) => {
      if (x !== x) return encodeFloat(f, x, opts); // throws: no NaN in f
      f32[0] = x;
      const b = u32[0];
      return (b & 0xffff) === 0 ? exactLow[b >>> 16] : stickyLow[b >>> 16];
    };
  }
  return (x) => {
    f32[0] = x;
    const b = u32[0];
    return (b & 0xffff) === 0 ? exactLow[b >>> 16] : stickyLow[b >>> 16];
  };
}

const encoders = new WeakMap<FloatFormat, (x: number) => number>();

/**
 * RNE, saturating conversion into a narrow format (MX and NVFP4 elements and scales): through
 * the exact fp32 tables above when the value is an fp32 number (the usual case), else the
 * generic encoder. Both give the same code.
 */
export function saturatingEncoder(f: FloatFormat): (x: number) => number {
  let enc = encoders.get(f);
  if (!enc) {
    const opts = { saturate: true };
    const fast = fp32Quantizer(f, opts);
    enc = fast ? (x) => (Math.fround(x) === x ? fast(x) : encodeFloat(f, x, opts)) : (x) => encodeFloat(f, x, opts);
    encoders.set(f, enc);
  }
  return enc;
}
