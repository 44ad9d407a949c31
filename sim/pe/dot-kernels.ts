/**
 * The dot-product and element-wise kernels of the PEs: the hot loops, one per family, so each
 * call site stays monomorphic and V8 keeps the table lookups and fround inline. Each computes
 * exactly what a sequence of `mac` calls computes, in the same order (the tests hold them
 * equal); builder.ts picks one per PE kind.
 */
import { floatDecodeTable } from './float-codec.ts';
import { FP32, nanCodeOf, type FloatFormat } from './formats.ts';

const FP32_NAN = nanCodeOf(FP32);
import type { Accumulator } from './accumulator.ts';
import { lmulConstant } from './lmul.ts';
import type { PeKind } from './types.ts';

/** float64 value of a product, fast: a table for narrow operands, decode tables otherwise. */
export type ProductValue = (a: number, b: number) => number;

export function tableLookup(t: Float64Array): (x: number) => number {
  return (x) => t[x];
}

export function tableDotFp32(table: Float64Array, shift: number): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = Math.fround(s + table[(a[ia] << shift) | b[ib]]);
    }
    return s;
  };
}

export function tableDotInt32(table: Int32Array, shift: number): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0 | 0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = (s + table[(a[ia] << shift) | b[ib]]) | 0;
    }
    return s;
  };
}

export function decodedDotFp32(dec: Float64Array): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = Math.fround(s + Math.fround(dec[a[ia]] * dec[b[ib]]));
    }
    return s;
  };
}

export function tableMulMany(table: Uint32Array, shift: number): PeKind['mulMany'] {
  return (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = table[(a[i] << shift) | b[i]];
  };
}

export function decodedMulManyFp32(dec: Float64Array): PeKind['mulMany'] {
  return (a, b, out, n) => {
    // a Float32Array store rounds to nearest even: the exact product rounded once into fp32
    const o32 = new Float32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < n; i++) {
      const v = dec[a[i]] * dec[b[i]];
      // NaN: the canonical fp32 NaN, not the CPU's (see fp32Bits in builder.ts)
      if (v !== v) out[i] = FP32_NAN;
      else o32[i] = v;
    }
  };
}

/**
 * The L-Mul adder on formats of at most 16 bits, written for inlining: normal operands take
 * the integer add; zeros/subnormals give signed zero; specials and overflow go through
 * lmulBits (the `slow` path), so the rules live in one place.
 */
interface LmulKernel {
  readonly magMask: number;
  readonly unit: number;
  readonly signBit: number;
  readonly constant: number;
  readonly maxCode: number;
  /** magnitudes from here up are Inf/NaN (ieee) or the NaN pattern (fn) */
  readonly specialFrom: number;
  readonly negZero: number;
  readonly fnuz: boolean;
  readonly slow: (a: number, b: number) => number;
}

function lmulKernel(f: FloatFormat, slow: (a: number, b: number) => number): LmulKernel {
  const fnuz = f.specials === 'fnuz';
  return {
    magMask: f.signBit - 1,
    unit: 2 ** f.manBits,
    signBit: f.signBit,
    constant: lmulConstant(f),
    maxCode: f.maxFiniteCode,
    // in fnuz the only NaN is the sign-bit pattern, which the zero test would miss: see lmulCode
    specialFrom: fnuz ? Infinity : f.maxFiniteCode + 1,
    negZero: fnuz ? 0 : f.signBit,
    fnuz,
    slow,
  };
}

function lmulCode(k: LmulKernel, x: number, y: number): number {
  const mx = x & k.magMask, my = y & k.magMask;
  if (mx >= k.specialFrom || my >= k.specialFrom || (k.fnuz && (x === k.signBit || y === k.signBit))) return k.slow(x, y);
  const neg = (x ^ y) & k.signBit;
  if (mx < k.unit || my < k.unit) return neg ? k.negZero : 0;
  const r = mx + my - k.constant;
  if (r < k.unit) return neg ? k.negZero : 0;
  if (r > k.maxCode) return k.slow(x, y);
  return r | neg;
}

export function lmulMulMany(f: FloatFormat, slow: (a: number, b: number) => number): PeKind['mulMany'] {
  const k = lmulKernel(f, slow);
  return (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = lmulCode(k, a[i], b[i]);
  };
}

export function lmulDotFp32(f: FloatFormat, slow: (a: number, b: number) => number): PeKind['dot'] {
  const k = lmulKernel(f, slow);
  const dec = floatDecodeTable(f);
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = Math.fround(s + dec[lmulCode(k, a[ia], b[ib])]);
    }
    return s;
  };
}

/** fp32 bit patterns seen as fp32 values: a view when they sit in a Uint32Array. */
function asFloat32(x: ArrayLike<number>): Float32Array {
  if (x instanceof Uint32Array) return new Float32Array(x.buffer, x.byteOffset, x.length);
  const out = new Float32Array(x.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < x.length; i++) bits[i] = x[i];
  return out;
}

/** fp32 x fp32 products are exact in float64: fround rounds each product, then each sum. */
export const fp32Dot: PeKind['dot'] = (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
  const fa = asFloat32(a), fb = asFloat32(b);
  let s = acc0;
  for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
    s = Math.fround(s + Math.fround(fa[ia] * fb[ib]));
  }
  return s;
};

export function genericDot(productValue: ProductValue, add: Accumulator['add']): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = add(s, productValue(a[ia], b[ib]));
    }
    return s;
  };
}

