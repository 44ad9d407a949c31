/**
 * Named PE kinds: name -> (input formats, multiplier, product format, accumulator).
 * Every later part of the simulator refers to PEs by these names.
 *
 * Conventions (documented in the README's PE table):
 * - float PEs multiply exactly and round the product once into the product format. For
 *   bf16/fp16 that is fp32 (the product is exact there, as in TPU/tensor-core MACs); for the
 *   fp8 kinds it is the fp8 format itself (the element-wise fp8 multiply the L-Mul paper
 *   compares with), saturating. `product: 'fp32'` gives the exact-product fp8 MAC instead.
 * - L-Mul PEs output the adder's result in their own format (see lmul.ts). lmul-m3/lmul-m4
 *   use fp32's exponent (e8m3 / e8m4) and, as in the paper's setting, truncate reals into
 *   their inputs; `lmulRound: 'rne'` rounds instead.
 * - Every PE accumulates in fp32 (float kinds) or int32 (integer kinds) unless `acc` says
 *   otherwise; `accInternal` keeps a wider adder inside the PE.
 * - Quantizing reals into fp8 inputs saturates (as ONNX Cast does by default); fp32, bf16 and
 *   fp16 conversions are IEEE (overflow to Inf); integers clamp.
 */
import { InputError, unknownName } from '../errors.ts';
import { decode, encode, isValidBits } from './codec.ts';
import { decodeFloat, encodeFloat, floatDecodeTable, type Rounding } from './float-codec.ts';
import {
  BF16, BINARY, E4M3, E5M2, FP16, FP32, INT32, INT4, INT8, TERNARY,
  floatFormat, getFormat, type FloatFormat, type NumberFormat,
} from './formats.ts';
import { isPlainFp32, makeAccumulator, type Accumulator } from './accumulator.ts';
import { assertExactInFloat64 } from './exact-mul.ts';
import { lmulBits, lmulConstant } from './lmul.ts';
import { pow2 } from './pow2.ts';
import { boothDigitCount, boothEncode, boothMultiply } from './booth.ts';
import type { MultiplierKind, PeKind, Reuse } from './types.ts';

interface PeSpec {
  readonly name: string;
  readonly description: string;
  readonly multiplier: MultiplierKind;
  readonly input: NumberFormat;
  readonly weight: NumberFormat;
  readonly product: NumberFormat;
  readonly productSaturate: boolean;
  readonly acc: NumberFormat;
  readonly inputRounding: Rounding;
  readonly quantizeSaturate: boolean;
}

const E8M3 = floatFormat('e8m3', 8, 3, { description: 'L-Mul 3-bit mantissa on fp32\'s exponent' });
const E8M4 = floatFormat('e8m4', 8, 4, { description: 'L-Mul 4-bit mantissa on fp32\'s exponent' });

function floatSpec(name: string, f: FloatFormat, product: FloatFormat, description: string): PeSpec {
  const fp8 = f.bits === 8;
  return {
    name, description, multiplier: 'float', input: f, weight: f, product,
    productSaturate: fp8, acc: FP32, inputRounding: 'rne', quantizeSaturate: fp8,
  };
}

function lmulSpec(name: string, f: FloatFormat, rounding: Rounding, description: string): PeSpec {
  return {
    name, description, multiplier: 'lmul', input: f, weight: f, product: f,
    productSaturate: true, acc: FP32, inputRounding: rounding, quantizeSaturate: true,
  };
}

const SPECS: readonly PeSpec[] = [
  floatSpec('fp32', FP32, FP32, 'IEEE fp32 multiply (RNE), fp32 accumulate'),
  floatSpec('bf16', BF16, FP32, 'bf16 inputs, exact product in fp32, fp32 accumulate'),
  floatSpec('fp16', FP16, FP32, 'fp16 inputs, exact product in fp32, fp32 accumulate'),
  floatSpec('fp8-e4m3', E4M3, E4M3, 'OCP e4m3 inputs, product rounded (RNE, saturating) to e4m3, fp32 accumulate'),
  floatSpec('fp8-e5m2', E5M2, E5M2, 'OCP e5m2 inputs, product rounded (RNE, saturating) to e5m2, fp32 accumulate'),
  lmulSpec('lmul-bf16', BF16, 'rne', 'L-Mul adder on bf16 (m=7, l=4, constant 0x3F78), fp32 accumulate'),
  lmulSpec('lmul-fp8-e4m3', E4M3, 'rne', 'L-Mul adder on OCP e4m3 (m=3, l=3), fp32 accumulate'),
  lmulSpec('lmul-m3', E8M3, 'trunc', 'L-Mul, 3-bit mantissa on fp32 exponent (e8m3), truncated inputs, fp32 accumulate'),
  lmulSpec('lmul-m4', E8M4, 'trunc', 'L-Mul, 4-bit mantissa on fp32 exponent (e8m4), truncated inputs, fp32 accumulate'),
  {
    name: 'int8', description: 'int8 x int8 -> int32 product, int32 accumulate (wraps)', multiplier: 'int',
    input: INT8, weight: INT8, product: INT32, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'int4', description: 'int4 x int4 -> int32 product, int32 accumulate (wraps)', multiplier: 'int',
    input: INT4, weight: INT4, product: INT32, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'ternary', description: 'int8 activations x ternary weights: add / subtract / skip, int32 accumulate',
    multiplier: 'ternary', input: INT8, weight: TERNARY, product: INT32, productSaturate: false, acc: INT32,
    inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'xnor', description: 'binary (+-1) x binary: XNOR, popcount into int32', multiplier: 'xnor',
    input: BINARY, weight: BINARY, product: BINARY, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
];

export function peNames(): string[] {
  return SPECS.map((s) => s.name);
}

export interface PeOptions {
  /** accumulator / partial-sum format name */
  readonly acc?: string;
  /** a wider adder inside the PE (rounded to `acc` when a partial sum leaves) */
  readonly accInternal?: string;
  /** saturate accumulator overflow instead of Inf/NaN (float) or wrap-around (int) */
  readonly accSaturate?: boolean;
  /** product format of float PEs */
  readonly product?: string;
  /** input rounding of L-Mul PEs */
  readonly lmulRound?: Rounding;
  /** computation reuse: 'ent' Booth-encodes the input operand once per row (EN-T) */
  readonly reuse?: Reuse;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fp32FromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
function fp32Bits(v: number): number {
  f32[0] = v;
  return u32[0];
}

/** float64 value of a product, fast: a table for narrow operands, decode tables otherwise. */
type ProductValue = (a: number, b: number) => number;

function applyOptions(spec: PeSpec, opts: PeOptions): PeSpec {
  let s = spec;
  if (opts.product !== undefined) {
    if (spec.multiplier !== 'float') throw new InputError(`--product applies to float PEs only, not ${spec.name}`);
    const p = getFormat(opts.product);
    if (p.kind !== 'float') throw new InputError(`product format must be a float format, got ${p.name}`);
    // saturating product rounding is the fp8 convention; wider products follow IEEE
    s = { ...s, product: p, productSaturate: p.bits <= 8 };
  }
  if (opts.lmulRound !== undefined) {
    if (spec.multiplier !== 'lmul') throw new InputError(`--lmul-round applies to L-Mul PEs only, not ${spec.name}`);
    s = { ...s, inputRounding: opts.lmulRound };
  }
  if (opts.acc !== undefined) {
    const a = getFormat(opts.acc);
    const floatPe = spec.multiplier === 'float' || spec.multiplier === 'lmul';
    if (floatPe && a.kind !== 'float') {
      throw new InputError(`PE ${spec.name} needs a float accumulator format, got ${a.name}`);
    }
    if (!floatPe && a.kind !== 'int') {
      throw new InputError(`PE ${spec.name} needs an integer accumulator format (int16, int32), got ${a.name}`);
    }
    s = { ...s, acc: a };
  }
  return s;
}

export function getPe(name: string, opts: PeOptions = {}): PeKind {
  const spec = SPECS.find((s) => s.name === name.trim().toLowerCase());
  if (!spec) throw unknownName('PE kind', name, peNames());
  return buildPe(applyOptions(spec, opts), opts);
}

function buildPe(spec: PeSpec, opts: PeOptions): PeKind {
  const internal = opts.accInternal !== undefined ? getFormat(opts.accInternal) : spec.acc;
  const acc = makeAccumulator(spec.acc, internal, opts.accSaturate ?? false);
  const { input, weight, product } = spec;
  let mul: (a: number, b: number) => number;
  let productValue: ProductValue;
  const reuse = opts.reuse ?? 'none';
  if (reuse === 'ent' && spec.multiplier !== 'float' && spec.multiplier !== 'int') {
    throw new InputError(
      `--reuse ent needs a PE with a multiplier to Booth-encode (float or integer kinds); ${spec.name} is ${spec.multiplier}`,
    );
  }
  // EN-T: the input operand is Booth-encoded (once per row, on the array) and every product
  // goes through the digit-selection datapath, so its exactness is exercised, not assumed.
  const ent = reuse === 'ent';

  switch (spec.multiplier) {
    case 'float': {
      const fi = input as FloatFormat, fw = weight as FloatFormat, fp = product as FloatFormat;
      assertExactInFloat64(fi, fw);
      const encOpts = { saturate: spec.productSaturate };
      const valueOf = (f: FloatFormat) => (f.bits <= 16 ? tableLookup(floatDecodeTable(f)) : isPlainFp32(f) ? fp32FromBits : (x: number) => decodeFloat(f, x));
      const va = valueOf(fi), vb = valueOf(fw);
      const exact = ent ? entFloatProduct(fi, fw, va, vb) : (a: number, b: number) => va(a) * vb(b);
      mul = (a, b) => encodeFloat(fp, exact(a, b), encOpts);
      if (isPlainFp32(fp) && !spec.productSaturate) productValue = (a, b) => Math.fround(exact(a, b));
      else productValue = (a, b) => decodeFloat(fp, mul(a, b));
      break;
    }
    case 'lmul': {
      const f = input as FloatFormat;
      mul = (a, b) => lmulBits(f, a, b, { saturate: spec.productSaturate });
      const dec = f.bits <= 16 ? floatDecodeTable(f) : undefined;
      productValue = dec ? (a, b) => dec[mul(a, b)] : (a, b) => decodeFloat(f, mul(a, b));
      break;
    }
    case 'int':
    case 'ternary': {
      const da = (x: number) => decode(input, x);
      const dw = (x: number) => decode(weight, x);
      if (ent) {
        const digits = boothDigitCount(input.bits);
        productValue = (a, b) => boothMultiply(boothEncode(da(a), input.bits), digits, dw(b));
      } else {
        productValue = (a, b) => da(a) * dw(b);
      }
      mul = (a, b) => encode(INT32, productValue(a, b));
      break;
    }
    case 'xnor':
      mul = (a, b) => (a ^ b) & 1;
      productValue = (a, b) => 1 - 2 * ((a ^ b) & 1);
      break;
  }

  const pairBits = input.bits + weight.bits;
  const fp32Product = spec.multiplier === 'float' && isPlainFp32(product as FloatFormat) && !spec.productSaturate;
  let mulMany: PeKind['mulMany'];
  if (pairBits <= 16) {
    const shift = weight.bits;
    const bitsTable = new Uint32Array(2 ** pairBits);
    forEachPair(input, weight, (a, b) => (bitsTable[(a << shift) | b] = mul(a, b)));
    mul = (a, b) => bitsTable[(a << shift) | b];
    mulMany = tableMulMany(bitsTable, shift);
  } else if (!ent && fp32Product && input.kind === 'float' && input.bits <= 16 && input === weight) {
    const pv = productValue;
    mul = (a, b) => fp32Bits(pv(a, b));
    mulMany = decodedMulManyFp32(floatDecodeTable(input));
  } else if (spec.multiplier === 'lmul' && input.kind === 'float' && input.bits <= 16) {
    mulMany = lmulMulMany(input, mul);
  } else {
    if (fp32Product) {
      const pv = productValue;
      mul = (a, b) => fp32Bits(pv(a, b));
    }
    const m = mul;
    mulMany = (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = m(a[i], b[i]);
    };
  }

  let dot: PeKind['dot'];
  const accAdd = acc.add;
  const fp32Acc = acc.internal.kind === 'float' && isPlainFp32(acc.internal) && !acc.saturate;
  const int32Acc = acc.internal.kind === 'int' && acc.internal.bits === 32 && !acc.saturate;
  if (pairBits <= 16) {
    // Every product of narrow operands in one table: index = (a << weightBits) | b.
    const shift = weight.bits;
    const table = new Float64Array(2 ** pairBits);
    const pv = productValue;
    forEachPair(input, weight, (a, b) => (table[(a << shift) | b] = pv(a, b)));
    productValue = (a, b) => table[(a << shift) | b];
    if (fp32Acc) dot = tableDotFp32(table, shift);
    else if (int32Acc) dot = tableDotInt32(Int32Array.from(table), shift);
    else dot = genericDot(productValue, accAdd);
  } else if (spec.multiplier === 'lmul' && input.kind === 'float' && input.bits <= 16 && fp32Acc) {
    dot = lmulDotFp32(input, mul);
  } else if (!ent && spec.multiplier === 'float' && fp32Acc && input.kind === 'float' && input.bits <= 16 && input === weight && isPlainFp32(product as FloatFormat) && !spec.productSaturate) {
    dot = decodedDotFp32(floatDecodeTable(input));
  } else if (!ent && spec.multiplier === 'float' && fp32Acc && fp32Product && isPlainFp32(input as FloatFormat) && isPlainFp32(weight as FloatFormat)) {
    dot = fp32Dot;
  } else {
    dot = genericDot(productValue, accAdd);
  }

  const qIn = { round: spec.inputRounding, saturate: spec.quantizeSaturate };
  return {
    name: spec.name,
    description: ent ? `${spec.description}; EN-T: Booth-encoded input operand` : spec.description,
    reuse,
    multiplier: spec.multiplier,
    input,
    weight,
    product,
    acc: spec.acc,
    inputRounding: spec.inputRounding,
    quantizeOptions: qIn,
    quantizeInput: (x) => encode(input, x, qIn),
    quantizeWeight: (x) => encode(weight, x, qIn),
    mul,
    mulMany,
    accZero: acc.zero,
    mac: (s, a, b) => accAdd(s, productValue(a, b)),
    addAcc: accAdd,
    dot,
    accToBits: acc.toBits,
    accFromBits: acc.fromBits,
    accValue: acc.value,
    inputValue: (bits) => decode(input, bits),
    weightValue: (bits) => decode(weight, bits),
  };
}

/**
 * The exact product of two float patterns as an EN-T PE forms it: integer significands,
 * the input's Booth-encoded, multiplied by digit selection, then scaled by the exponents.
 * Specials (NaN, Inf) are not products of significands: they take the plain path.
 */
function entFloatProduct(
  fa: FloatFormat, fb: FloatFormat, va: (x: number) => number, vb: (x: number) => number,
): (a: number, b: number) => number {
  const sigWidth = fa.manBits + 2; // hidden bit + mantissa, as a non-negative signed operand
  const digits = boothDigitCount(sigWidth);
  const split = (f: FloatFormat, bits: number) => {
    const mag = bits >= f.signBit ? bits - f.signBit : bits;
    const unit = 2 ** f.manBits;
    const expField = Math.floor(mag / unit);
    const man = mag - expField * unit;
    return {
      sig: expField === 0 ? man : unit + man,
      exp: (expField === 0 ? 1 : expField) - f.bias - f.manBits,
      neg: bits >= f.signBit,
    };
  };
  return (a, b) => {
    const x = va(a), y = vb(b);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return x * y;
    const sa = split(fa, a), sb = split(fb, b);
    const p = boothMultiply(boothEncode(sa.sig, sigWidth), digits, sb.sig) * pow2(sa.exp + sb.exp);
    return sa.neg !== sb.neg ? -p : p;
  };
}

/** Every pair of valid operand patterns (ternary's unused 0b10 left out of the tables). */
function forEachPair(fa: NumberFormat, fb: NumberFormat, f: (a: number, b: number) => void): void {
  for (let a = 0; a < 2 ** fa.bits; a++) {
    if (!isValidBits(fa, a)) continue;
    for (let b = 0; b < 2 ** fb.bits; b++) if (isValidBits(fb, b)) f(a, b);
  }
}

function tableLookup(t: Float64Array): (x: number) => number {
  return (x) => t[x];
}

// The dot products below are the hot loops: one per family, so each call site stays
// monomorphic and V8 keeps the table lookups and fround inline.

function tableDotFp32(table: Float64Array, shift: number): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = Math.fround(s + table[(a[ia] << shift) | b[ib]]);
    }
    return s;
  };
}

function tableDotInt32(table: Int32Array, shift: number): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0 | 0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = (s + table[(a[ia] << shift) | b[ib]]) | 0;
    }
    return s;
  };
}

function decodedDotFp32(dec: Float64Array): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = Math.fround(s + Math.fround(dec[a[ia]] * dec[b[ib]]));
    }
    return s;
  };
}

function tableMulMany(table: Uint32Array, shift: number): PeKind['mulMany'] {
  return (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = table[(a[i] << shift) | b[i]];
  };
}

function decodedMulManyFp32(dec: Float64Array): PeKind['mulMany'] {
  return (a, b, out, n) => {
    // a Float32Array store rounds to nearest even: the exact product rounded once into fp32
    const o32 = new Float32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < n; i++) o32[i] = dec[a[i]] * dec[b[i]];
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

function lmulMulMany(f: FloatFormat, slow: (a: number, b: number) => number): PeKind['mulMany'] {
  const k = lmulKernel(f, slow);
  return (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = lmulCode(k, a[i], b[i]);
  };
}

function lmulDotFp32(f: FloatFormat, slow: (a: number, b: number) => number): PeKind['dot'] {
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
const fp32Dot: PeKind['dot'] = (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
  const fa = asFloat32(a), fb = asFloat32(b);
  let s = acc0;
  for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
    s = Math.fround(s + Math.fround(fa[ia] * fb[ib]));
  }
  return s;
};

function genericDot(productValue: ProductValue, add: Accumulator['add']): PeKind['dot'] {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let s = acc0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      s = add(s, productValue(a[ia], b[ib]));
    }
    return s;
  };
}

