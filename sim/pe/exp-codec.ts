/**
 * encode/decode for exponent-only scale formats (ExpFormat: OCP MX E8M0, v1.0 section 5.4.1).
 * A code e is exactly 2^(e - bias); the all-ones code is NaN; there is no sign, zero or Inf.
 *
 * Converting a real follows the generic float rules where they apply: round to the nearest
 * power of two (the midpoint between 2^k and 2^(k+1) is 1.5 * 2^k; an exact tie goes to the
 * even code), or toward zero (floor(log2 x), the rule MX uses for a block's largest
 * magnitude); a value below the smallest power is nearest to it and becomes code 0; a result
 * above the largest power overflows to NaN, or clamps to the largest with `saturate`. The
 * format has no sign and no zero: zero and negative reals have no encoding and are refused.
 */
import { InputError } from '../errors.ts';
import type { EncodeOptions } from './float-codec.ts';
import type { ExpFormat } from './formats.ts';
import { exponentOf, pow2 } from './pow2.ts';

export function encodeExp(f: ExpFormat, x: number, opts: EncodeOptions = {}): number {
  if (x !== x) return f.nanCode;
  if (!(x > 0)) throw new InputError(`cannot convert ${Object.is(x, -0) ? '-0' : x} to ${f.name}: it holds positive powers of two only`);
  const maxCode = f.nanCode - 1;
  if (x === Infinity) return opts.saturate ? maxCode : f.nanCode;
  let k = exponentOf(x);
  if (opts.round !== 'trunc') {
    const frac = x / pow2(k) - 1; // exact: x and 2^k share their exponent
    if (frac > 0.5 || (frac === 0.5 && (k + f.bias) % 2 !== 0)) k += 1;
  }
  const code = k + f.bias;
  if (code < 0) return 0;
  if (code > maxCode) return opts.saturate || opts.round === 'trunc' ? maxCode : f.nanCode;
  return code;
}

export function decodeExp(f: ExpFormat, bits: number): number {
  return bits === f.nanCode ? NaN : pow2(bits - f.bias);
}
