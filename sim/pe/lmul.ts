/**
 * L-Mul (Luo & Sun, arXiv 2410.00907): a floating-point multiply replaced by one integer
 * addition of the operands' exponent+mantissa fields.
 *
 *   r = |x|bits + |y|bits - ((bias << m) - 2^(m - l(m))),   sign = sx xor sy,
 *   l(m) = m for m <= 3, 3 for m = 4, 4 for m > 4.
 *
 * This is what the adder computes, so when xm + ym + 2^-l(m) >= 1 the mantissa carry moves
 * into the exponent and the result is 2^(xe+ye+1) * (xm + ym + 2^-l(m)), not the paper's
 * printed (1 + xm + ym + 2^-l(m)) * 2^(xe+ye); for m >= 4 the sum can even reach 2, and the
 * exponent field then grows by two (bf16 0x3FFF x 0x3FFF = 0x4086 = 4.1875). The simulator
 * models the adder.
 *
 * Special values (the paper specifies none; this is bitweave's rule set, docs/SOURCES.md):
 * - NaN in -> NaN; Inf x zero -> NaN; Inf x finite -> Inf with the XOR sign.
 * - a zero or subnormal input -> signed zero (an adder has no hidden-bit logic for them);
 * - a result whose exponent field would be <= 0 -> signed zero (flush, no subnormal output);
 * - a result above the largest finite code -> +-max finite when saturating, else Inf (or NaN
 *   in formats without Inf).
 * The sum is formed in a JavaScript number (53-bit integer range), so it never wraps.
 */
import { isNaNCode } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';

/** The paper's offset exponent l(m). */
export function lmulOffsetExponent(m: number): number {
  if (m <= 3) return m;
  if (m === 4) return 3;
  return 4;
}

/** The constant the adder subtracts: (bias << m) - 2^(m - l(m)). 0x3F78 for bf16, 0x3F780000 for fp32. */
export function lmulConstant(f: FloatFormat): number {
  const m = f.manBits;
  return f.bias * 2 ** m - 2 ** (m - lmulOffsetExponent(m));
}

export interface LmulOptions {
  /** clamp overflow to +-max finite (default true: an adder with a clamp) */
  readonly saturate?: boolean;
}

/** L-Mul of two bit patterns of f; result in f. */
export function lmulBits(f: FloatFormat, a: number, b: number, opts: LmulOptions = {}): number {
  // a format with NaN codes has a canonical NaN (isNaNCode is never true for specials 'none')
  if (isNaNCode(f, a) || isNaNCode(f, b)) return f.nanCode as number;
  const negA = a >= f.signBit;
  const negB = b >= f.signBit;
  const magA = negA ? a - f.signBit : a;
  const magB = negB ? b - f.signBit : b;
  const negative = negA !== negB;
  const unit = 2 ** f.manBits;
  const zeroA = magA < unit;
  const zeroB = magB < unit;
  const infA = magA === f.infCode;
  const infB = magB === f.infCode;
  if (infA || infB) {
    if (zeroA || zeroB) return f.nanCode as number; // a format with Inf is IEEE-style: it has NaN
    return (f.infCode as number) + (negative ? f.signBit : 0);
  }
  const signedZero = negative && f.specials !== 'fnuz' ? f.signBit : 0;
  if (zeroA || zeroB) return signedZero;
  const r = magA + magB - lmulConstant(f);
  if (r < unit) return signedZero;
  if (r > f.maxFiniteCode) {
    if (opts.saturate !== false) return f.maxFiniteCode + (negative ? f.signBit : 0);
    if (f.infCode !== undefined) return f.infCode + (negative ? f.signBit : 0);
    return f.nanCode ?? f.maxFiniteCode + (negative ? f.signBit : 0);
  }
  return r + (negative ? f.signBit : 0);
}
