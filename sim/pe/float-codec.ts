/**
 * The one generic float encoder/decoder: any FloatFormat, from and to float64.
 *
 * Encoding is exact: the float64 input is split into a power-of-two quantum and an integer
 * count of quanta (no arithmetic rounding happens in float64), then rounded once to nearest,
 * ties to even (or toward zero). The encoding is continuous across the subnormal/normal
 * boundary and across a mantissa carry, so one formula gives the code in every case:
 *   code = (max(E, emin) + bias - 1) * 2^m + n,   n = rounded significand in quanta.
 */
import { nanCodeOf, type FloatFormat } from './formats.ts';
import { exponentOf, pow2, scaleByPow2 } from './pow2.ts';

export type Rounding = 'rne' | 'trunc';

export interface EncodeOptions {
  /** clamp overflow and infinities to +-max finite (infinities become NaN in fnuz formats) */
  readonly saturate?: boolean;
  /** round to nearest, ties to even (default), or toward zero */
  readonly round?: Rounding;
  /** flush results that would be subnormal to a signed zero */
  readonly ftz?: boolean;
}

/**
 * Encodes x into f. `sticky` is the exact remainder of an operation whose float64 result is x
 * (x + sticky is the true value, |sticky| <= half an ulp of x in float64): it breaks exact
 * ties and exact truncations the right way, so a sum can be rounded once even when float64
 * had to round it first. Pass 0 for plain conversion.
 */
export function encodeFloat(f: FloatFormat, x: number, opts: EncodeOptions = {}, sticky = 0): number {
  if (x !== x) return nanCodeOf(f);
  const negative = x < 0 || (x === 0 && 1 / x < 0);
  const a = negative ? -x : x;
  const sign = negative && f.specials !== 'fnuz' ? f.signBit : 0;
  if (a === Infinity) {
    // As ONNX Cast (saturate=1) and CUDA's SATFINITE conversions: saturation clamps an
    // infinity to +-max finite, except in fnuz formats, where it becomes NaN.
    if (opts.saturate) return f.specials === 'fnuz' ? nanCodeOf(f) : f.maxFiniteCode + (negative ? f.signBit : 0);
    return overflowCode(f, negative);
  }
  if (a === 0) {
    if (sticky === 0) return sign;
    // a true value that is not zero but whose float64 image is: only a sticky bit remains
    return encodeFloat(f, sticky, opts, 0);
  }
  const m = f.manBits;
  const emin = 1 - f.bias;
  const E = exponentOf(a);
  const eScale = E < emin ? emin : E;
  const q = scaleByPow2(a, m - eScale); // a in quanta: [2^m, 2^(m+1)) if normal, [0, 2^m) if subnormal
  let n = Math.floor(q);
  const frac = q - n;
  // the remainder, seen in the direction of the magnitude
  const rest = negative ? -sticky : sticky;
  if (opts.round === 'trunc') {
    if (frac === 0 && rest < 0) n -= 1;
  } else if (frac > 0.5 || (frac === 0.5 && (rest > 0 || (rest === 0 && n % 2 === 1)))) {
    n += 1;
  }
  const code = (eScale + f.bias - 1) * pow2(m) + n;
  if (code > f.maxFiniteCode) {
    if (opts.saturate || opts.round === 'trunc') return f.maxFiniteCode + (negative ? f.signBit : 0);
    return overflowCode(f, negative);
  }
  if (code === 0 || (opts.ftz && code < pow2(m))) return sign;
  return code + (negative ? f.signBit : 0);
}

/**
 * A non-saturating overflow: Inf where the format has it, else its NaN, else (no specials at
 * all) the largest finite value, the only thing such a format can give.
 */
function overflowCode(f: FloatFormat, negative: boolean): number {
  const s = negative ? f.signBit : 0;
  if (f.infCode !== undefined) return f.infCode + s;
  return f.nanCode ?? f.maxFiniteCode + s;
}

export function isNaNCode(f: FloatFormat, bits: number): boolean {
  if (f.specials === 'none') return false;
  if (f.specials === 'fnuz') return bits === f.signBit;
  const mag = bits >= f.signBit ? bits - f.signBit : bits;
  if (f.specials === 'fn') return mag === f.maxFiniteCode + 1;
  return mag > f.maxFiniteCode + 1;
}

/** Decodes a bit pattern of f to float64 (exact: every value of every format fits). */
export function decodeFloat(f: FloatFormat, bits: number, opts: { ftz?: boolean } = {}): number {
  if (isNaNCode(f, bits)) return NaN;
  const negative = bits >= f.signBit;
  const mag = negative ? bits - f.signBit : bits;
  const m = f.manBits;
  if (mag === f.infCode) return negative ? -Infinity : Infinity;
  const unit = pow2(m);
  const expField = Math.floor(mag / unit);
  const man = mag - expField * unit;
  let v: number;
  if (expField === 0) {
    if (opts.ftz) return negative && f.specials !== 'fnuz' ? -0 : 0;
    v = man * pow2(1 - f.bias - m);
  } else {
    v = (unit + man) * pow2(expField - f.bias - m);
  }
  return negative ? -v : v;
}

const tables = new Map<string, Float64Array>();

function formatKey(f: FloatFormat): string {
  return `${f.name}/${f.expBits}/${f.manBits}/${f.bias}/${f.specials}`;
}

/** Value of every code of a format of at most 16 bits, for hot loops. */
export function floatDecodeTable(f: FloatFormat): Float64Array {
  if (f.bits > 16) throw new Error(`no decode table for ${f.name}: ${f.bits} bits is too wide`);
  const key = formatKey(f);
  let t = tables.get(key);
  if (!t) {
    t = new Float64Array(2 ** f.bits);
    for (let c = 0; c < t.length; c++) t[c] = decodeFloat(f, c);
    tables.set(key, t);
  }
  return t;
}
