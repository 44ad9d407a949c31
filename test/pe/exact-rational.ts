/**
 * Independent exact reference arithmetic for the PE tests (not a test file).
 *
 * Every finite value of every binary float format is dyadic: (-1)^neg * mag * 2^exp with an
 * integer mag. Values here are held exactly with a BigInt mag, so sums and products are exact
 * and rounding happens only where a test asks for it.
 *
 * The decoder and the encoder below are written from the bit-field definitions (sign,
 * exponent field, mantissa field, subnormals, the four `specials` styles documented in
 * sim/pe/formats.ts) and use nothing from sim/pe except the descriptor's four defining
 * numbers: expBits, manBits, bias, specials.
 */

export type Specials = 'ieee' | 'fn' | 'fnuz' | 'none';

/** The defining fields of a float format (sim/pe's FloatFormat satisfies this structurally). */
export interface FloatSpec {
  readonly expBits: number;
  readonly manBits: number;
  readonly bias: number;
  readonly specials: Specials;
}

export type Exact =
  | { readonly kind: 'num'; readonly neg: boolean; readonly mag: bigint; readonly exp: number }
  | { readonly kind: 'inf'; readonly neg: boolean }
  | { readonly kind: 'nan' };

export const NAN: Exact = { kind: 'nan' };
export const POS_INF: Exact = { kind: 'inf', neg: false };
export const NEG_INF: Exact = { kind: 'inf', neg: true };
export const ZERO: Exact = { kind: 'num', neg: false, mag: 0n, exp: 0 };

export function num(neg: boolean, mag: bigint, exp: number): Exact {
  if (mag < 0n) throw new Error('num: negative magnitude');
  return { kind: 'num', neg, mag, exp };
}

/** (-1)^neg * mag * 2^exp from small integers. */
export function dy(mag: number | bigint, exp = 0): Exact {
  const m = BigInt(mag);
  return m < 0n ? num(true, -m, exp) : num(false, m, exp);
}

/** Rational p/q is not needed: every value in these tests is dyadic. 2^k: */
export function pow2Exact(k: number): Exact {
  return num(false, 1n, k);
}

// ---------------------------------------------------------------- float64 <-> exact

const dv = new DataView(new ArrayBuffer(8));

/** Exact value of a double, read from its IEEE binary64 bit fields. */
export function fromDouble(x: number): Exact {
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const neg = hi >>> 31 === 1;
  const ef = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (ef === 0x7ff) return frac === 0n ? { kind: 'inf', neg } : NAN;
  if (ef === 0) return num(neg, frac, -1074);
  return num(neg, frac | (1n << 52n), ef - 1075);
}

/** Exact power of two as a double, built from bit fields (k in -1074..1023). */
function pow2Double(k: number): number {
  if (k < -1074 || k > 1023) throw new Error(`2^${k} is not a double`);
  if (k >= -1022) {
    dv.setUint32(0, (k + 1023) << 20);
    dv.setUint32(4, 0);
  } else {
    const bit = k + 1074; // 0..51 in the fraction
    if (bit >= 32) {
      dv.setUint32(0, 1 << (bit - 32));
      dv.setUint32(4, 0);
    } else {
      dv.setUint32(0, 0);
      dv.setUint32(4, (2 ** bit) >>> 0);
    }
  }
  return dv.getFloat64(0);
}

/** The double equal to v; throws if v is not exactly a double. */
export function toDouble(v: Exact): number {
  if (v.kind === 'nan') return NaN;
  if (v.kind === 'inf') return v.neg ? -Infinity : Infinity;
  if (v.mag === 0n) return v.neg ? -0 : 0;
  let { mag, exp } = v;
  const tz = trailingZeros(mag);
  mag >>= BigInt(tz);
  exp += tz;
  if (mag >= 1n << 53n) throw new Error('toDouble: more than 53 significant bits');
  const m = Number(mag);
  // m * 2^exp, in at most two exact steps (the intermediate stays a normal double)
  let r: number;
  if (exp >= -1074 && exp <= 1023) r = m * pow2Double(exp);
  else if (exp < -1074) r = m * pow2Double(-1000) * pow2Double(exp + 1000);
  else r = m * pow2Double(1000) * pow2Double(exp - 1000);
  if (!eqExact(fromDouble(r), num(false, v.mag, v.exp))) {
    throw new Error(`toDouble: ${show(v)} is not a double`);
  }
  return v.neg ? -r : r;
}

// ---------------------------------------------------------------- exact arithmetic

export function trailingZeros(m: bigint): number {
  if (m === 0n) return 0;
  let n = 0;
  while ((m & 0xffffffffn) === 0n) {
    m >>= 32n;
    n += 32;
  }
  let lo = Number(m & 0xffffffffn);
  while ((lo & 1) === 0) {
    lo >>>= 1;
    n++;
  }
  return n;
}

/** Number of bits of m > 0. */
export function bitLength(m: bigint): number {
  return m.toString(2).length;
}

export function negate(a: Exact): Exact {
  if (a.kind === 'nan') return a;
  if (a.kind === 'inf') return { kind: 'inf', neg: !a.neg };
  return num(!a.neg, a.mag, a.exp);
}

/** Exact product, IEEE sign rules (sign of a zero product is the XOR). */
export function mulExact(a: Exact, b: Exact): Exact {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  const neg = a.neg !== b.neg;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const other = a.kind === 'inf' ? b : a;
    if (other.kind === 'num' && other.mag === 0n) return NAN;
    return { kind: 'inf', neg };
  }
  return num(neg, a.mag * b.mag, a.exp + b.exp);
}

/**
 * Exact sum, IEEE sign rules for round-to-nearest: x + (-x) = +0, (-0) + (-0) = -0.
 */
export function addExact(a: Exact, b: Exact): Exact {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf') return a.neg === b.neg ? a : NAN;
    return a.kind === 'inf' ? a : b;
  }
  if (a.mag === 0n && b.mag === 0n) return num(a.neg && b.neg, 0n, 0);
  if (a.mag === 0n) return b;
  if (b.mag === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const ma = a.mag << BigInt(a.exp - e);
  const mb = b.mag << BigInt(b.exp - e);
  const sa = a.neg ? -ma : ma;
  const sb = b.neg ? -mb : mb;
  const s = sa + sb;
  if (s === 0n) return num(false, 0n, 0);
  return s < 0n ? num(true, -s, e) : num(false, s, e);
}

/** -1, 0, 1 comparing finite values a and b (zeros equal regardless of sign). */
export function cmpExact(a: Exact, b: Exact): number {
  if (a.kind !== 'num' || b.kind !== 'num') throw new Error('cmpExact: finite values only');
  const d = addExact(a, negate(b));
  if (d.kind !== 'num' || d.mag === 0n) return 0;
  return d.neg ? -1 : 1;
}

/** Same value and same sign of zero; NaN equals NaN. */
export function eqExact(a: Exact, b: Exact): boolean {
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind;
  if (a.kind === 'inf' || b.kind === 'inf') return a.kind === b.kind && a.neg === b.neg;
  if (a.neg !== b.neg) return false;
  if (a.mag === 0n || b.mag === 0n) return a.mag === b.mag;
  const e = Math.min(a.exp, b.exp);
  return a.mag << BigInt(a.exp - e) === b.mag << BigInt(b.exp - e);
}

export function show(v: Exact): string {
  if (v.kind === 'nan') return 'NaN';
  if (v.kind === 'inf') return v.neg ? '-Inf' : '+Inf';
  return `${v.neg ? '-' : '+'}${v.mag}*2^${v.exp}`;
}

/** Midpoint (a + b) / 2 of two finite values, exact. */
export function midpoint(a: Exact, b: Exact): Exact {
  const s = addExact(a, b);
  if (s.kind !== 'num') throw new Error('midpoint of non-finite values');
  return num(s.neg, s.mag, s.exp - 1);
}

// ---------------------------------------------------------------- format fields

export function widthOf(f: FloatSpec): number {
  return 1 + f.expBits + f.manBits;
}

/** (exponent field, mantissa field) of the largest finite magnitude, from `specials`. */
export function maxFiniteFields(f: FloatSpec): { e: number; m: number } {
  const eAll = 2 ** f.expBits - 1;
  const mAll = 2 ** f.manBits - 1;
  switch (f.specials) {
    case 'ieee':
      return { e: eAll - 1, m: mAll };
    case 'fn':
      // only S.1..1.1..1 is NaN: the largest finite is one mantissa step below it
      return f.manBits === 0 ? { e: eAll - 1, m: 0 } : { e: eAll, m: mAll - 1 };
    case 'fnuz':
    case 'none':
      // fnuz: NaN sits at the negative-zero pattern; none: there is no NaN at all
      return { e: eAll, m: mAll };
  }
}

/** The NaN pattern a format produces (positive sign where the format has a choice). */
export function canonicalNaN(f: FloatSpec): number {
  const eAll = 2 ** f.expBits - 1;
  switch (f.specials) {
    case 'none':
      throw new Error('a format without specials has no NaN');
    case 'ieee':
      return eAll * 2 ** f.manBits + 2 ** (f.manBits - 1); // quiet NaN
    case 'fn':
      return eAll * 2 ** f.manBits + (2 ** f.manBits - 1);
    case 'fnuz':
      return 2 ** (widthOf(f) - 1);
  }
}

/** Exact value of a bit pattern, from the field definitions. */
export function decodeExact(f: FloatSpec, bits: number): Exact {
  const mb = f.manBits;
  const signW = 2 ** (widthOf(f) - 1);
  const neg = bits >= signW;
  const mag = neg ? bits - signW : bits;
  const eField = Math.floor(mag / 2 ** mb);
  const mField = mag % 2 ** mb;
  const eAll = 2 ** f.expBits - 1;
  const mAll = 2 ** mb - 1;
  if (f.specials === 'none') {
    // every pattern is a number
  } else if (f.specials === 'fnuz') {
    if (neg && mag === 0) return NAN;
  } else if (f.specials === 'fn') {
    if (eField === eAll && mField === mAll) return NAN;
  } else if (eField === eAll) {
    return mField === 0 ? { kind: 'inf', neg } : NAN;
  }
  if (eField === 0) return num(neg, BigInt(mField), 1 - f.bias - mb);
  return num(neg, BigInt(mField) + (1n << BigInt(mb)), eField - f.bias - mb);
}

export function isNaNBits(f: FloatSpec, bits: number): boolean {
  return decodeExact(f, bits).kind === 'nan';
}

export interface RefEncodeOptions {
  readonly round?: 'rne' | 'trunc';
  readonly saturate?: boolean;
  readonly ftz?: boolean;
}

/**
 * Bit pattern of v rounded into f: the significand is rounded to nearest-even (or toward
 * zero) at the quantum of v's binade (or of the subnormal range), with an explicit carry
 * into the exponent field; overflow is judged after rounding (IEEE 754 rule).
 * Overflow: saturate or trunc -> +-max finite; else Inf (ieee) or the NaN pattern (fn/fnuz).
 * Infinite inputs (ONNX Cast's table): saturating -> +-max finite, but NaN in fnuz formats;
 * not saturating -> Inf where the format has it, else NaN.
 * fnuz has no -0: a negative value that rounds to zero gives +0.
 * none (no Inf, no NaN): overflow and infinities always give +-max finite; NaN throws.
 */
export function encodeExact(f: FloatSpec, v: Exact, opts: RefEncodeOptions = {}): number {
  const mb = f.manBits;
  const signW = 2 ** (widthOf(f) - 1);
  const unit = 2 ** mb;
  const eAll = 2 ** f.expBits - 1;
  if (v.kind === 'nan') return canonicalNaN(f);
  const neg = v.neg;
  const noSpecials = f.specials === 'none';
  const signed = (mag: number) => (neg ? signW + mag : mag);
  const zero = neg && f.specials !== 'fnuz' ? signW : 0;
  const max = maxFiniteFields(f);
  const maxMag = max.e * unit + max.m;
  if (v.kind === 'inf') {
    if (noSpecials) return signed(maxMag);
    if (opts.saturate) return f.specials === 'fnuz' ? canonicalNaN(f) : signed(maxMag);
    return f.specials === 'ieee' ? signed(eAll * unit) : canonicalNaN(f);
  }
  if (v.mag === 0n) return zero;
  const emin = 1 - f.bias;
  const E = v.exp + bitLength(v.mag) - 1; // floor(log2 |v|)
  const subnormal = E < emin;
  const qe = (subnormal ? emin : E) - mb; // exponent of one unit in the last place
  const shift = qe - v.exp;
  let n: bigint;
  if (shift <= 0) {
    n = v.mag << BigInt(-shift);
  } else {
    const s = BigInt(shift);
    n = v.mag >> s;
    const rem = v.mag - (n << s);
    if (opts.round !== 'trunc') {
      const half = 1n << (s - 1n);
      if (rem > half || (rem === half && (n & 1n) === 1n)) n += 1n;
    }
  }
  let eField: number;
  let mField: number;
  const nn = Number(n); // n <= 2^(mb+1) except for a huge exponent (overflow, handled below)
  if (subnormal) {
    if (nn === unit) {
      eField = 1; // rounded up into the smallest normal
      mField = 0;
    } else {
      eField = 0;
      mField = nn;
    }
  } else {
    eField = E + f.bias;
    mField = nn - unit;
    if (mField === unit) {
      mField = 0; // mantissa carry
      eField += 1;
    }
  }
  if (eField === 0 && mField === 0) return zero;
  if (opts.ftz && eField === 0) return zero;
  if (eField > max.e || (eField === max.e && mField > max.m)) {
    if (opts.saturate || opts.round === 'trunc' || noSpecials) return signed(maxMag);
    return f.specials === 'ieee' ? signed(eAll * unit) : canonicalNaN(f);
  }
  return signed(eField * unit + mField);
}

/** Convenience: exact-encode a double. */
export function encodeDoubleRef(f: FloatSpec, x: number, opts: RefEncodeOptions = {}): number {
  return encodeExact(f, fromDouble(x), opts);
}

/** Value of a code as a double (exact: all formats of interest fit in a double). */
export function decodeToDouble(f: FloatSpec, bits: number): number {
  return toDouble(decodeExact(f, bits));
}

/** Every code of a format of at most 16 bits, decoded to doubles by the exact decoder. */
export function refDecodeTable(f: FloatSpec): Float64Array {
  const n = 2 ** widthOf(f);
  if (n > 65536) throw new Error('refDecodeTable: format too wide');
  const t = new Float64Array(n);
  for (let c = 0; c < n; c++) t[c] = decodeToDouble(f, c);
  return t;
}

/** Same double (Object.is semantics: -0 !== +0, NaN equals NaN). */
export function sameDouble(a: number, b: number): boolean {
  return Object.is(a, b);
}

export function hex(v: number, digits = 2): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

/** The double one ulp above / below x (x finite), via the bit pattern. */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return 5e-324;
  dv.setFloat64(0, x);
  const b = dv.getBigUint64(0);
  dv.setBigUint64(0, x > 0 ? b + 1n : b - 1n);
  return dv.getFloat64(0);
}

export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Format descriptors for the tests' own use, from the four defining numbers. */
export const SPEC = {
  e4m3: { expBits: 4, manBits: 3, bias: 7, specials: 'fn' },
  e5m2: { expBits: 5, manBits: 2, bias: 15, specials: 'ieee' },
  e4m3fnuz: { expBits: 4, manBits: 3, bias: 8, specials: 'fnuz' },
  e5m2fnuz: { expBits: 5, manBits: 2, bias: 16, specials: 'fnuz' },
  e4m3ieee: { expBits: 4, manBits: 3, bias: 7, specials: 'ieee' },
  bf16: { expBits: 8, manBits: 7, bias: 127, specials: 'ieee' },
  // OCP MX v1.0 section 5.3: FP6 and FP4 element formats, no Inf and no NaN
  e3m2: { expBits: 3, manBits: 2, bias: 3, specials: 'none' },
  e2m3: { expBits: 2, manBits: 3, bias: 1, specials: 'none' },
  e2m1: { expBits: 2, manBits: 1, bias: 1, specials: 'none' },
  fp16: { expBits: 5, manBits: 10, bias: 15, specials: 'ieee' },
  fp32: { expBits: 8, manBits: 23, bias: 127, specials: 'ieee' },
} as const satisfies Record<string, FloatSpec>;
