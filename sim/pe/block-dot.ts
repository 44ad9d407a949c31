/**
 * The dot-product unit of block-scaled formats: two blocks of k elements and their scales
 * in, one value into the accumulator out (OCP MX v1.0 section 6.1: Dot(A, B) =
 * X_A * X_B * sum_i P_A,i * P_B,i; the spec leaves the internal precision to the
 * implementation, so this unit states its own):
 *
 * 1. Every element is an integer I times its format's quantum q (the smallest subnormal of
 *    a float element, 2^-6 for MXINT8). Products I_A * I_B are formed exactly.
 * 2. The k products are summed in a fixed-point adder tree whose least significant bit is
 *    q_A * q_B and whose width is wide enough to be exact for every pair of element codes:
 *    bits(max |I_A| * max |I_B|) + ceil(log2 k) carry bits + 1 sign bit. For k = 32:
 *    MXFP8 E4M3 42 bits, MXFP8 E5M2 70, MXFP6 E3M2 24, MXFP6 E2M3 18, MXFP4 14, MXINT8 21;
 *    NVFP4 (k = 16) 13. No bit is lost inside a block; the one rounding of a block happens
 *    when its value enters the accumulator.
 * 3. The scales are applied to the exact block sum: MX scales (E8M0) by adding their
 *    exponents to the sum's (no multiplier); NVFP4's E4M3 block scales by multiplying their
 *    4-bit significands (exact) and adding exponents. A NaN scale makes the block NaN.
 * 4. The scaled block sum is added into the accumulator (limited-acc.ts: fp32, or an N-bit
 *    register with promotion), rounded once. NVFP4's per-tensor FP32 scales multiply the
 *    accumulated result once at the end, in fp32 (a GEMM's alpha).
 *
 * Elements that are NaN or Inf (E4M3 and E5M2 codes that MX quantization never produces,
 * but a block may hold) leave the fixed-point path: the block's value is then the IEEE
 * float64 sum of its products (NaN or +-Inf), scaled.
 */
import { InputError } from '../errors.ts';
import { elementTable, type BlockElement, type BlockFormat } from './block-formats.ts';
import type { BlockTensor } from './block-tensor.ts';
import { decode } from './codec.ts';
import { addDyadic, dyadicOf, type Dyadic } from './dyadic.ts';
import { exponentOf, scaleByPow2 } from './pow2.ts';
import { makeAccumulation, newRegs, type Accumulation, type AccumulatorSpec } from './limited-acc.ts';

/** log2 of an element format's quantum: the value of the integer 1 */
export function quantumExp(e: BlockElement): number {
  return e.kind === 'float' ? exponentOf(e.format.minSubnormal) : -e.fracBits;
}

function bitLengthOf(n: number): number {
  return n === 0 ? 0 : exponentOf(n) + 1;
}

/** Largest |I| over the finite codes of an element format. */
function maxInteger(e: BlockElement): number {
  const t = elementTable(e);
  let m = 0;
  for (const v of t) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m / 2 ** quantumExp(e);
}

/** The adder tree's width in bits for blocks of k elements of a and b (exact for any codes). */
export function adderWidth(a: BlockElement, b: BlockElement, k: number): number {
  return bitLengthOf(maxInteger(a) * maxInteger(b)) + Math.ceil(Math.log2(k)) + 1;
}

export interface BlockDotUnit {
  readonly a: BlockFormat;
  readonly b: BlockFormat;
  readonly blockSize: number;
  /** the adder tree: width in bits and the weight of its least significant bit (log2) */
  readonly adderBits: number;
  readonly lsbExp: number;
  /**
   * The exact value of one block pair: sum of products, both scales applied. A double when
   * it fits one exactly, else a Dyadic.
   */
  blockValue(
    aCodes: ArrayLike<number>, aOff: number, aScale: number,
    bCodes: ArrayLike<number>, bOff: number, bScale: number, len: number,
  ): number | Dyadic;
}

export function makeBlockDotUnit(a: BlockFormat, b: BlockFormat): BlockDotUnit {
  if (a.blockSize !== b.blockSize) {
    throw new InputError(`block dot product: block sizes differ (${a.name} ${a.blockSize}, ${b.name} ${b.blockSize})`);
  }
  if (a.kind !== b.kind) throw new InputError(`block dot product: cannot pair ${a.name} with ${b.name} (different scale schemes)`);
  const k = a.blockSize;
  const qa = quantumExp(a.element), qb = quantumExp(b.element);
  const lsbExp = qa + qb;
  const adderBits = adderWidth(a.element, b.element, k);
  // integer products, one table entry per code pair
  const ta = elementTable(a.element), tb = elementTable(b.element);
  const bBits = b.element.format.bits;
  const prod = new Float64Array(ta.length << bBits);
  for (let i = 0; i < ta.length; i++) {
    for (let j = 0; j < tb.length; j++) prod[(i << bBits) | j] = (ta[i] / 2 ** qa) * (tb[j] / 2 ** qb);
  }
  // a sum of integers below 2^53 in magnitude is exact in float64
  const exactInFloat64 = adderBits <= 53;
  const scaleOf = (f: BlockFormat, code: number): { exp: number; mul: number } => {
    if (f.kind === 'mx') return code === f.scale.nanCode ? { exp: 0, mul: NaN } : { exp: code - f.scale.bias, mul: 1 };
    return { exp: 0, mul: decode(f.scale, code) };
  };
  return {
    a, b, blockSize: k, adderBits, lsbExp,
    blockValue(aCodes, aOff, aScale, bCodes, bOff, bScale, len) {
      if (len > k) throw new Error(`block of ${len} elements exceeds the block size ${k}`);
      const sa = scaleOf(a, aScale), sb = scaleOf(b, bScale);
      const e = lsbExp + sa.exp + sb.exp;
      const mul = sa.mul * sb.mul; // exact: 1, or two 4-bit significands
      let s = 0;
      if (exactInFloat64) {
        for (let i = 0; i < len; i++) s += prod[(aCodes[aOff + i] << bBits) | bCodes[bOff + i]];
        return scaleByPow2(s * mul, e);
      }
      // wider than float64: sum in float64 while that is exact (TwoSum error zero), else exactly
      let d: Dyadic | undefined;
      for (let i = 0; i < len; i++) {
        const p = prod[(aCodes[aOff + i] << bBits) | bCodes[bOff + i]];
        if (d !== undefined) {
          if (Number.isFinite(p)) d = addDyadic(d, dyadicOf(p));
          else s += p;
          continue;
        }
        const t = s + p;
        const bb = t - s;
        const err = s - (t - bb) + (p - bb);
        if (err !== 0 && Number.isFinite(t)) {
          d = addDyadic(dyadicOf(s), dyadicOf(p));
          s = 0;
        } else s = t;
      }
      if (d === undefined || !Number.isFinite(s) || !Number.isFinite(mul)) return scaleByPow2(s * mul, e);
      if (mul === 0) return 0;
      const m = dyadicOf(mul);
      return { mant: d.mant * m.mant, exp: d.exp + m.exp + e };
    },
  };
}

/**
 * The dot product of two quantized vectors of equal length, block by block through the
 * unit, accumulated as `acc` says (a block counts as its number of products towards a
 * promotion interval). NVFP4's tensor scales multiply the fp32 result once.
 */
export function blockDot(unit: BlockDotUnit, x: BlockTensor, y: BlockTensor, acc: Accumulation | AccumulatorSpec): number {
  if (x.length !== y.length) throw new InputError(`block dot product: lengths differ (${x.length}, ${y.length})`);
  const accumulation = 'add' in acc ? acc : makeAccumulation(acc);
  const k = unit.blockSize;
  const regs = newRegs();
  for (let b = 0, off = 0; off < x.length; b++, off += k) {
    const len = Math.min(k, x.length - off);
    accumulation.add(regs, unit.blockValue(x.codes, off, x.scales[b], y.codes, off, y.scales[b], len), len);
  }
  const r = accumulation.value(regs);
  if (x.tensorScale === 1 && y.tensorScale === 1) return r;
  return Math.fround(r * Math.fround(x.tensorScale * y.tensorScale));
}
