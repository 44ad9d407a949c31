/**
 * Accumulators as they are built: an fp32-range accumulator register that keeps only N
 * significand bits, and promotion of its partial sum into a full fp32 accumulator every P
 * products.
 *
 * Why: DeepSeek-AI, "DeepSeek-V3 Technical Report" (arXiv 2412.19437), section 3.3.2,
 * "Increasing Accumulation Precision": "the accumulation precision of FP8 GEMM on NVIDIA
 * H800 GPUs is limited to retaining around 14 bits ... Taking GEMM operations of two random
 * matrices with K = 4096 for example, in our preliminary test, the limited accumulation
 * precision in Tensor Cores results in a maximum relative error of nearly 2%." Their fix:
 * "once an interval of N_C is reached, these partial results will be copied to FP32
 * registers on CUDA Cores, where full-precision FP32 accumulation is performed ... setting
 * N_C = 128 elements, equivalent to 4 WGMMAs, represents the minimal accumulation interval
 * that can significantly improve precision". (Section 3.5.2 describes the Hopper datapath in
 * more detail: 32 products aligned to the largest exponent keep their highest 14 bits.)
 *
 * The model here is the per-addition one: the register holds a value with `bits`
 * significand bits (the leading one included; 24 is fp32) and fp32's exponent range; each
 * addition forms the exact sum of the register and the incoming value and drops the excess
 * bits once, by truncation toward zero (`trunc`, the default for a narrowed register: the
 * Hopper datapath "truncates bits exceeding this range", section 3.5.2) or by rounding to
 * nearest even (`rne`; plain fp32 accumulation is 24 bits, rne). With `promote` P,
 * after every P products the register is added (RNE) into a full fp32 accumulator and
 * cleared; the result is that fp32 accumulator plus what the register still holds.
 * bits 24, rne, no promotion is exactly an fp32 accumulator.
 */
import { InputError } from '../errors.ts';
import { roundedSum, type Accumulator } from './accumulator.ts';
import { decodeFloat, encodeFloat, type Rounding } from './float-codec.ts';
import { FP32, floatFormat, type FloatFormat } from './formats.ts';
import { exponentOf, pow2 } from './pow2.ts';

export interface AccumulatorSpec {
  /** significand bits the register keeps, leading bit included (2..24; 24 = fp32) */
  readonly bits: number;
  /** how the register drops bits */
  readonly round: Rounding;
  /** products between promotions of the register into a full fp32 accumulator; 0: never */
  readonly promote: number;
}

export const FP32_ACCUMULATION: AccumulatorSpec = { bits: 24, round: 'rne', promote: 0 };

/** the longest promotion interval accepted (a dot product longer than this never promotes anyway) */
export const MAX_PROMOTE = 2 ** 24;

/** Validates the user's options (undefined: fp32's). */
export function accumulatorSpec(opts: { bits?: number; round?: string; promote?: number } = {}): AccumulatorSpec {
  const bits = opts.bits ?? 24;
  if (!Number.isInteger(bits) || bits < 2 || bits > 24) {
    throw new InputError(`--acc-bits must be an integer in 2..24 (significand bits, leading bit included; 24 = fp32), got ${opts.bits}`);
  }
  // a narrowed register truncates unless told otherwise; plain fp32 rounds to nearest even
  const round = opts.round ?? (opts.bits === undefined ? 'rne' : 'trunc');
  if (round !== 'rne' && round !== 'trunc') throw new InputError(`--acc-round must be rne or trunc, got '${round}'`);
  const promote = opts.promote ?? 0;
  if (!Number.isInteger(promote) || promote < 0 || promote > MAX_PROMOTE) {
    throw new InputError(`--acc-promote must be an integer in 0..${MAX_PROMOTE} (0: never), got ${opts.promote}`);
  }
  return { bits, round, promote };
}

export function isPlainFp32Accumulation(s: AccumulatorSpec): boolean {
  return s.bits === 24 && s.round === 'rne' && s.promote === 0;
}

export function describeAccumulation(s: AccumulatorSpec): string {
  if (isPlainFp32Accumulation(s)) return 'fp32';
  const reg = s.bits === 24 && s.round === 'rne' ? 'fp32' : `${s.bits}-bit ${s.round === 'rne' ? 'rounding' : 'truncating'}`;
  return s.promote > 0 ? `${reg}, promoted to fp32 every ${s.promote}` : reg;
}

const registers = new Map<string, FloatFormat>();

/** The register's format: fp32's exponent, bits - 1 stored significand bits. */
export function registerFormat(s: AccumulatorSpec): FloatFormat {
  if (s.bits === 24) return FP32;
  const name = `e8m${s.bits - 1}`;
  let f = registers.get(name);
  if (!f) {
    f = floatFormat(name, 8, s.bits - 1, { description: `${s.bits}-bit accumulator register (fp32 exponent)` });
    registers.set(name, f);
  }
  return f;
}

/** The accumulator's state: the register, the fp32 accumulator it is promoted into, products since. */
export interface AccumulatorRegs {
  partial: number;
  full: number;
  since: number;
}

export function newRegs(): AccumulatorRegs {
  return { partial: 0, full: 0, since: 0 };
}

/**
 * One accumulator: `add` puts an exact value worth `products` products into the register,
 * promoting when due.
 */
export interface Accumulation {
  readonly spec: AccumulatorSpec;
  readonly register: FloatFormat;
  add(regs: AccumulatorRegs, value: number, products: number): void;
  /** the accumulated value, as fp32 */
  value(regs: AccumulatorRegs): number;
}

export function makeAccumulation(spec: AccumulatorSpec): Accumulation {
  const f = registerFormat(spec);
  const plain = isPlainFp32Accumulation(spec);
  const slow = (s: number, v: number) => roundedSum(f, s, v, false, spec.round);
  const addNumber = registerAdder(spec.bits, spec.round, slow);
  const add = (regs: AccumulatorRegs, value: number, products: number): void => {
    regs.partial = addNumber(regs.partial, value);
    if (spec.promote > 0) {
      regs.since += products;
      if (regs.since >= spec.promote) {
        regs.full = roundedSum(FP32, regs.full, regs.partial, false);
        regs.partial = 0;
        regs.since = 0;
      }
    }
  };
  return {
    spec,
    register: f,
    add,
    value: plain || spec.promote === 0 ? (r) => r.partial : (r) => roundedSum(FP32, r.full, r.partial, false),
  };
}

/** a double's bit pattern: its low 32 bits at sumLow[LOW_WORD] */
const sumView = new Float64Array(1);
const sumLow = new Uint32Array(sumView.buffer);
const LOW_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1;

/**
 * Whether Math.fround(sum) is fp32's rounding (to nearest, ties to even) of the exact sum of
 * two numbers whose float64 sum is `sum`: true when |sum| lies in fp32's normal range and sum
 * is not an fp32 midpoint (see registerAdder; the caller falls back to exact arithmetic otherwise).
 */
export function froundIsExactRounding(sum: number): boolean {
  const a = sum < 0 ? -sum : sum;
  if (!(a >= 2 ** -126 && a < 2 ** 128)) return false;
  sumView[0] = sum;
  return (sumLow[LOW_WORD] & 0x1fffffff) !== 0x10000000;
}

/**
 * s + v rounded to `bits` significand bits, fast: when float64 forms the sum exactly (TwoSum's
 * error is zero) and it lies in the register's normal range, the rounding is one float64
 * operation at the register's last place (adding and removing 1.5 * 2^(e+53-bits) rounds to
 * nearest even there; truncation divides by a power of two). Anything else (an inexact
 * float64 sum, subnormal or overflowing results, specials) takes the generic encoder.
 *
 * One more shortcut for fp32 (24 bits, to nearest even), where block values (up to 53
 * significant bits) make inexact float64 sums the rule: the float64 sum is the double nearest
 * the exact s + v, and every midpoint between two neighbouring fp32 values of the normal range
 * is a double (25 significant bits). So unless the float64 sum IS such a midpoint, the exact
 * sum lies strictly between the same two midpoints as the float64 sum (a midpoint between
 * them would be a nearer double), and both round to the one fp32 value there:
 * Math.fround(sum) is the correctly rounded exact sum. A midpoint's 29 low significand bits are
 * 1 followed by 28 zeros; only those sums (and the exact ones) need TwoSum.
 */
function registerAdder(bits: number, round: Rounding, slow: (s: number, v: number) => number): (s: number, v: number) => number {
  const minNormal = 2 ** -126, maxBinade = 2 ** 128;
  const fp32Nearest = bits === 24 && round === 'rne';
  return (s, v) => {
    const sum = s + v;
    if (fp32Nearest && froundIsExactRounding(sum)) return Math.fround(sum);
    const bb = sum - s;
    const err = s - (sum - bb) + (v - bb);
    const a = sum < 0 ? -sum : sum;
    if (err !== 0 || !(a >= minNormal && a < maxBinade)) return a === 0 && err === 0 ? sum : slow(s, v);
    if (bits === 24 && round === 'rne') return Math.fround(sum); // exact sum, one rounding
    const e = exponentOf(a);
    if (round === 'trunc') {
      const ulp = pow2(e - bits + 1);
      return Math.trunc(sum / ulp) * ulp;
    }
    const c = pow2(e + 53 - bits) * 1.5;
    const r = sum + c - c;
    return r < 0 ? (r < -MAX_FP32 ? slow(s, v) : r) : r > MAX_FP32 ? slow(s, v) : r;
  };
}

const MAX_FP32 = 3.4028234663852886e38;

/** A dot product of exact terms (e.g. exact products), term i worth one product, accumulated as `acc` says. */
export function accumulateTerms(acc: Accumulation, terms: ArrayLike<number>, n: number): number {
  const regs = newRegs();
  for (let i = 0; i < n; i++) acc.add(regs, terms[i], 1);
  return acc.value(regs);
}

/**
 * The register as a PE's accumulator (accumulator.ts's interface): the state is the
 * register's value, an fp32 number, which is also what leaves the PE. Promotion is not a
 * property of one addition: the PE's dot products do it (`promotedDot`), and a partial sum
 * that leaves the array between folds is promoted anyway (it is stored as fp32).
 */
export function registerAccumulator(spec: AccumulatorSpec): Accumulator {
  const f = registerFormat(spec);
  const add = registerAdder(spec.bits, spec.round, (s, v) => roundedSum(f, s, v, false, spec.round));
  return {
    format: FP32,
    internal: f,
    saturate: false,
    zero: 0,
    // a value from outside the register (a stored partial sum) enters it rounded, like a product
    add,
    toBits: (s) => encodeFloat(FP32, s),
    fromBits: (bits) => decodeFloat(FP32, bits),
    value: (s) => s,
  };
}

/**
 * A PE's dot product with promotion: products go into the register (`add`), and every
 * `promote` products the register is added into a full fp32 accumulator (RNE) and cleared;
 * acc0 (a stored partial sum, fp32) starts the full accumulator, and the result is
 * full + register in fp32.
 */
export function promotedDot(
  productValue: (a: number, b: number) => number, add: (s: number, v: number) => number, promote: number,
): (a: ArrayLike<number>, aOff: number, aStride: number, b: ArrayLike<number>, bOff: number, bStride: number, n: number, acc0: number) => number {
  return (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    let full = acc0, partial = 0, since = 0;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      partial = add(partial, productValue(a[ia], b[ib]));
      if (++since === promote) {
        full = Math.fround(full + partial); // two fp32 values: one rounding
        partial = 0;
        since = 0;
      }
    }
    return Math.fround(full + partial);
  };
}
