/**
 * Exact floating-point multiply: the exact product of two values, rounded once into the
 * product format. The product of two formats with at most 53 significand bits between them
 * and exponents inside float64's range is exact in float64, so one float64 multiply followed
 * by the generic encoder is a correctly rounded hardware multiplier.
 */
import { InputError } from '../errors.ts';
import { decodeFloat, encodeFloat, type EncodeOptions } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';

export function assertExactInFloat64(a: FloatFormat, b: FloatFormat): void {
  const bitsNeeded = a.manBits + 1 + b.manBits + 1;
  const minExp = Math.log2(a.minSubnormal) + Math.log2(b.minSubnormal);
  const maxExp = Math.log2(a.maxFinite) + Math.log2(b.maxFinite);
  if (bitsNeeded > 53 || minExp < -1074 || maxExp >= 1024) {
    throw new InputError(`exact multiply of ${a.name} x ${b.name} does not fit float64; use narrower formats`);
  }
}

export function exactMulBits(
  a: FloatFormat, b: FloatFormat, product: FloatFormat,
  x: number, y: number, opts: EncodeOptions = {},
): number {
  return encodeFloat(product, decodeFloat(a, x) * decodeFloat(b, y), opts);
}
