/**
 * Builds a PeKind from a catalogue entry (catalogue.ts) and the user's options: checks the
 * options against the kind, makes the accumulator, the multiplier (bit patterns in, product
 * bit pattern out), the product tables of narrow kinds, and picks the dot-product kernel
 * (dot-kernels.ts) that computes exactly what `mac` would, in the same order, fast.
 */
import { InputError } from '../errors.ts';
import { decode, encode, isValidBits } from './codec.ts';
import { decodeFloat, encodeFloat, floatDecodeTable, type Rounding } from './float-codec.ts';
import { FP32, INT32, getFormat, nanCodeOf, type FloatFormat, type NumberFormat } from './formats.ts';
import { isPlainFp32, makeAccumulator, type Accumulator } from './accumulator.ts';
import { assertExactInFloat64 } from './exact-mul.ts';
import { lmulBits } from './lmul.ts';
import { pow2 } from './pow2.ts';
import { boothDigitCount, boothEncode, boothMultiply } from './booth.ts';
import type { PeSpec } from './catalogue.ts';
import {
  decodedDotFp32, decodedMulManyFp32, fp32Dot, genericDot, lmulDotFp32, lmulMulMany, tableDotFp32, tableDotInt32,
  tableLookup, tableMulMany, type ProductValue,
} from './dot-kernels.ts';
import { blockOperandFormat, getBlockFormat } from './block-formats.ts';
import { buildBlockPe } from './block-pe.ts';
import { FP32_ACCUMULATION, accumulatorSpec, promotedDot, registerAccumulator, type AccumulatorSpec } from './limited-acc.ts';
import { decodedTile, lmulTile, tableTile } from './tile-kernels.ts';
import type { PeKind, Reuse, TileKernel } from './types.ts';

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
  /** float PEs: significand bits the fp32 accumulator register keeps (2..24; limited-acc.ts) */
  readonly accBits?: number;
  /** float PEs: how that register drops bits (default trunc with accBits, rne otherwise) */
  readonly accRound?: Rounding;
  /** float PEs: promote the register into a full fp32 accumulator every this many products */
  readonly accPromote?: number;
  /** block PEs: elements per block (default: the format's, 32 for MX, 16 for NVFP4) */
  readonly block?: number;
}

/** The accumulator as built from the options, or undefined for the format's own adder. */
export function accumulationOf(spec: PeSpec, opts: PeOptions): AccumulatorSpec | undefined {
  if (opts.accBits === undefined && opts.accRound === undefined && opts.accPromote === undefined) return undefined;
  const floatPe = spec.multiplier === 'float' || spec.multiplier === 'lmul' || spec.multiplier === 'block';
  if (!floatPe) throw new InputError(`--acc-bits/--acc-round/--acc-promote model an fp32 accumulator; ${spec.name} accumulates in ${spec.acc.name}`);
  if (opts.acc !== undefined || opts.accInternal !== undefined || opts.accSaturate !== undefined) {
    throw new InputError('--acc-bits/--acc-round/--acc-promote narrow the fp32 accumulator: they do not combine with --acc, --acc-internal or --acc-saturate');
  }
  return accumulatorSpec({
    ...(opts.accBits !== undefined && { bits: opts.accBits }),
    ...(opts.accRound !== undefined && { round: opts.accRound }),
    ...(opts.accPromote !== undefined && { promote: opts.accPromote }),
  });
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const FP32_NAN = nanCodeOf(FP32);
function fp32FromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
/**
 * fp32 pattern of a float64 that is an fp32 value. NaN is the canonical 0x7FC00000, as
 * encodeFloat gives everywhere else: a Float32Array store keeps whatever payload and sign the
 * CPU's NaN had (x86 makes Inf * 0 negative, 0xFFC00000; a NaN operand passes its payload),
 * which made products depend on the machine. Found by the RTL co-simulation (rtl/).
 */
function fp32Bits(v: number): number {
  if (v !== v) return FP32_NAN;
  f32[0] = v;
  return u32[0];
}

export function applyOptions(spec: PeSpec, opts: PeOptions): PeSpec {
  let s = spec;
  if (opts.block !== undefined) {
    if (spec.multiplier !== 'block' || spec.input.kind !== 'block' || spec.weight.kind !== 'block') {
      throw new InputError(`--block applies to block PEs (MX, NVFP4), not ${spec.name}`);
    }
    const op = blockOperandFormat(getBlockFormat(spec.input.block.name, opts.block));
    s = { ...s, input: op, weight: blockOperandFormat(getBlockFormat(spec.weight.block.name, opts.block)) };
  }
  if (opts.product !== undefined) {
    if (spec.multiplier !== 'float') throw new InputError(`--product applies to float PEs only, not ${spec.name}`);
    const p = getFormat(opts.product);
    if (p.kind !== 'float') throw new InputError(`product format must be a float format, got ${p.name}`);
    if (p.specials === 'none') throw new InputError(`product format ${p.name} has no Inf/NaN (an MX element format): a product of NaN or Inf operands has no encoding there`);
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

export function buildPe(spec: PeSpec, opts: PeOptions): PeKind {
  const accSpec = accumulationOf(spec, opts);
  const internal = opts.accInternal !== undefined ? getFormat(opts.accInternal) : spec.acc;
  const acc = accSpec !== undefined ? registerAccumulator(accSpec) : makeAccumulator(spec.acc, internal, opts.accSaturate ?? false);
  const { input, weight, product } = spec;
  if (spec.multiplier === 'block') {
    if (input.kind !== 'block' || weight.kind !== 'block') throw new Error(`PE ${spec.name}: a block multiplier needs block operands`);
    if (opts.reuse === 'ent') throw new InputError(`--reuse ent Booth-encodes a scalar multiplier operand; ${spec.name} is a block PE`);
    if (opts.acc !== undefined || opts.accInternal !== undefined || opts.accSaturate !== undefined) {
      throw new InputError(`PE ${spec.name} accumulates in fp32 (narrow it with --acc-bits); --acc, --acc-internal and --acc-saturate do not apply`);
    }
    // a block's value has up to 53 significant bits: the register's adder rounds the exact
    // sum once (the plain fp32 adder's shortcut assumes 24-bit addends)
    return buildBlockPe({ name: spec.name, description: spec.description, input, weight }, registerAccumulator(accSpec ?? FP32_ACCUMULATION), accSpec);
  }
  const reuse = opts.reuse ?? 'none';
  if (reuse === 'ent' && spec.multiplier !== 'float' && spec.multiplier !== 'int') {
    throw new InputError(
      `--reuse ent needs a PE with a multiplier to Booth-encode (float or integer kinds); ${spec.name} is ${spec.multiplier}`,
    );
  }
  // EN-T: the input operand is Booth-encoded (once per row, on the array) and every product
  // goes through the digit-selection datapath, so its exactness is exercised, not assumed.
  const ent = reuse === 'ent';
  // refused now, before any work: a float pair whose exact product does not fit a double
  if (spec.multiplier === 'float') assertExactInFloat64(input as FloatFormat, weight as FloatFormat);
  // The arithmetic (product tables of narrow operands, decoded-operand kernels) is made on
  // first use, not with the PE: a timing-only run never multiplies, and the two product
  // tables of an 8-bit kind (65,536 products each) cost every `bitweave run` tens of milliseconds.
  let arith: Arithmetic | undefined;
  const arithmetic = () => (arith ??= buildArithmetic(spec, acc, ent, accSpec));

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
    get mul() {
      return arithmetic().mul;
    },
    get mulMany() {
      return arithmetic().mulMany;
    },
    accZero: acc.zero,
    get mac() {
      return arithmetic().mac;
    },
    addAcc: acc.add,
    get dot() {
      return arithmetic().dot;
    },
    ...(accSpec !== undefined && { accumulation: accSpec }),
    get tile() {
      return arithmetic().tile;
    },
    accToBits: acc.toBits,
    accFromBits: acc.fromBits,
    accValue: acc.value,
    inputValue: (bits) => decode(input, bits),
    weightValue: (bits) => decode(weight, bits),
  };
}


/** The multiply, multiply-many, MAC and dot product of a PE, with its fast paths. */
interface Arithmetic {
  readonly mul: PeKind['mul'];
  readonly mulMany: PeKind['mulMany'];
  readonly mac: PeKind['mac'];
  readonly dot: PeKind['dot'];
  readonly tile: TileKernel | undefined;
}

function buildArithmetic(spec: PeSpec, acc: Accumulator, ent: boolean, accSpec: AccumulatorSpec | undefined): Arithmetic {
  const { input, weight, product } = spec;
  let mul: (a: number, b: number) => number;
  let productValue: ProductValue;
  switch (spec.multiplier) {
    case 'float': {
      const fi = input as FloatFormat, fw = weight as FloatFormat, fp = product as FloatFormat;
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
    case 'block':
      throw new Error(`PE ${spec.name}: block PEs are built by block-pe.ts`);
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
  let tile: ((d: PeKind['dot']) => TileKernel) | undefined;
  const accAdd = acc.add;
  // a 24-bit register that truncates has fp32's format but not its rounding: not plain fp32
  const fp32Acc = acc.internal.kind === 'float' && isPlainFp32(acc.internal) && !acc.saturate &&
    (accSpec === undefined || accSpec.round === 'rne');
  const int32Acc = acc.internal.kind === 'int' && acc.internal.bits === 32 && !acc.saturate;
  if (pairBits <= 16) {
    // Every product of narrow operands in one table: index = (a << weightBits) | b.
    const shift = weight.bits;
    const table = new Float64Array(2 ** pairBits);
    const pv = productValue;
    forEachPair(input, weight, (a, b) => (table[(a << shift) | b] = pv(a, b)));
    productValue = (a, b) => table[(a << shift) | b];
    // operand values, for exact multipliers (the kernel checks every product against them)
    const decoders = ent ? undefined : {
      input: (x: number) => (isValidBits(input, x) ? decode(input, x) : NaN),
      weight: (x: number) => (isValidBits(weight, x) ? decode(weight, x) : NaN),
      // the fp8 MACs round the exact product into a narrow float (the kernel checks every pair)
      product: product.kind === 'float' && !isPlainFp32(product) ? product : undefined,
    };
    if (fp32Acc && spec.multiplier === 'lmul' && input.kind === 'float' && input.specials !== 'fnuz') {
      // L-Mul on fp8: the sum-table kernel, whose WebAssembly rows form the adder's result
      dot = tableDotFp32(table, shift);
      const mm = mulMany, fi = input;
      tile = (d) => lmulTile(fi, mm, d, { productValue: pv, add: accAdd });
    } else if (fp32Acc) {
      dot = tableDotFp32(table, shift);
      tile = (d) => tableTile(table, shift, input.bits, 'fp32', d, decoders);
    } else if (int32Acc) {
      dot = tableDotInt32(Int32Array.from(table), shift);
      tile = (d) => tableTile(table, shift, input.bits, 'int32', d, decoders);
    } else dot = genericDot(productValue, accAdd);
  } else if (spec.multiplier === 'lmul' && input.kind === 'float' && input.bits <= 16 && fp32Acc) {
    dot = lmulDotFp32(input, mul);
    const mm = mulMany, pv = productValue, fi = input;
    if (fi.specials !== 'fnuz') tile = (d) => lmulTile(fi, mm, d, { productValue: pv, add: accAdd });
  } else if (!ent && spec.multiplier === 'float' && fp32Acc && input.kind === 'float' && input.bits <= 16 && input === weight && isPlainFp32(product as FloatFormat) && !spec.productSaturate) {
    const dec = floatDecodeTable(input);
    dot = decodedDotFp32(dec);
    tile = (d) => decodedTile((x) => dec[x], (x) => dec[x], d, Float32Array.from(dec));
  } else if (!ent && spec.multiplier === 'float' && fp32Acc && fp32Product && isPlainFp32(input as FloatFormat) && isPlainFp32(weight as FloatFormat)) {
    dot = fp32Dot;
    tile = (d) => decodedTile(fp32FromBits, fp32FromBits, d, 'bits');
  } else {
    dot = genericDot(productValue, accAdd);
  }
  if (accSpec !== undefined && accSpec.promote > 0) {
    dot = promotedDot(productValue, accAdd, accSpec.promote);
    tile = undefined; // the kernels add into one accumulator: no promotion
  }

  // the tile kernel's tables (L-Mul bf16: two of 196,608 entries) are built when first asked for
  let kernel: TileKernel | undefined;
  const d = dot;
  return {
    mul, mulMany, mac: (s, a, b) => accAdd(s, productValue(a, b)), dot,
    get tile() {
      return tile && (kernel ??= tile(d));
    },
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

