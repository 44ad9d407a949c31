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
 *    MXFP8 E4M3 42 bits, MXFP6 E3M2 24, MXFP6 E2M3 18, MXFP4 14, MXINT8 21; NVFP4 (k = 16)
 *    13. No bit is lost inside a block; the one rounding of a block happens when its value
 *    enters the accumulator. The exception is MXFP8 E5M2, whose exact tree would need 70
 *    bits (its products span 2^-32 .. 2^31.6): its tree is 53 bits wide, and each product is
 *    truncated toward zero at the tree's LSB, 2^-15 (for k = 32; in general the LSB moves up
 *    by the excess of the exact width over 53). After MX scaling a block's largest element
 *    is at least 2^15, so what is truncated lies below 2^-45 of the largest product.
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
 *
 * Scaling the exact sum is exact too: it has at most 53 bits, and the scales are a power of
 * two (MX) or the product of two 4-bit significands with a 13-bit NVFP4 sum.
 */
import { InputError } from '../errors.ts';
import { elementTable, type BlockElement, type BlockFormat } from './block-formats.ts';
import type { BlockTensor } from './block-tensor.ts';
import { decode } from './codec.ts';
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

/** The exact adder tree's width in bits for blocks of k elements of a and b. */
export function exactAdderWidth(a: BlockElement, b: BlockElement, k: number): number {
  return bitLengthOf(maxInteger(a) * maxInteger(b)) + Math.ceil(Math.log2(k)) + 1;
}

/** the widest adder tree built: a block sum is then exact in a double */
export const MAX_ADDER_BITS = 53;

/** The adder tree's width in bits: exact, or 53 with truncated products (see above). */
export function adderWidth(a: BlockElement, b: BlockElement, k: number): number {
  return Math.min(exactAdderWidth(a, b, k), MAX_ADDER_BITS);
}

export interface BlockDotUnit {
  readonly a: BlockFormat;
  readonly b: BlockFormat;
  readonly blockSize: number;
  /** the adder tree: width in bits and the weight of its least significant bit (log2) */
  readonly adderBits: number;
  readonly lsbExp: number;
  /** products truncated at the LSB (the exact tree would be wider than MAX_ADDER_BITS) */
  readonly truncates: boolean;
  /** a product in units of the tree's LSB, both element codes in */
  product(aCode: number, bCode: number): number;
  /** every product in units of the LSB: index (aCode << bBits) | bCode (for hot loops) */
  readonly products: Float64Array;
  readonly bBits: number;
  /** log2 and multiplier of a block scale pair: the block's value is sum * mul * 2^exp */
  scalePair(aScale: number, bScale: number): { exp: number; mul: number };
  /** per scale code of each operand: exponent and multiplier (for hot loops; add lsbExp) */
  readonly scaleExpA: Float64Array;
  readonly scaleMulA: Float64Array;
  readonly scaleExpB: Float64Array;
  readonly scaleMulB: Float64Array;
  /**
   * The exact value of one block pair: the tree's sum, both scales applied (a double: the
   * sum has at most 53 bits, the scales are a power of two or two 4-bit significands).
   */
  blockValue(
    aCodes: ArrayLike<number>, aOff: number, aScale: number,
    bCodes: ArrayLike<number>, bOff: number, bScale: number, len: number,
  ): number;
}

/**
 * Every scale code as (exponent, multiplier): MX E8M0 codes are 2^(code - 127) (a NaN scale
 * multiplies by NaN), NVFP4's E4M3 codes their value.
 */
function scaleTables(f: BlockFormat): { exp: Float64Array; mul: Float64Array } {
  const n = 2 ** f.scale.bits;
  const exp = new Float64Array(n), mul = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    if (f.kind === 'mx') {
      const nan = c === f.scale.nanCode;
      exp[c] = nan ? 0 : c - f.scale.bias;
      mul[c] = nan ? NaN : 1;
    } else {
      exp[c] = 0;
      mul[c] = decode(f.scale, c);
    }
  }
  return { exp, mul };
}

export function makeBlockDotUnit(a: BlockFormat, b: BlockFormat): BlockDotUnit {
  if (a.blockSize !== b.blockSize) {
    throw new InputError(`block dot product: block sizes differ (${a.name} ${a.blockSize}, ${b.name} ${b.blockSize})`);
  }
  if (a.kind !== b.kind) throw new InputError(`block dot product: cannot pair ${a.name} with ${b.name} (different scale schemes)`);
  const k = a.blockSize;
  const qa = quantumExp(a.element), qb = quantumExp(b.element);
  const exact = exactAdderWidth(a.element, b.element, k);
  const adderBits = Math.min(exact, MAX_ADDER_BITS);
  const shift = exact - adderBits;
  const lsbExp = qa + qb + shift;
  // products in units of the LSB, one table entry per code pair (truncated toward zero when
  // the tree is narrower than exact; NaN and Inf stay what they are)
  const ta = elementTable(a.element), tb = elementTable(b.element);
  const bBits = b.element.format.bits;
  const prod = new Float64Array(ta.length << bBits);
  for (let i = 0; i < ta.length; i++) {
    for (let j = 0; j < tb.length; j++) prod[(i << bBits) | j] = Math.trunc((ta[i] / 2 ** qa) * (tb[j] / 2 ** qb) / 2 ** shift);
  }
  const sa = scaleTables(a), sb = scaleTables(b);
  const scalePair = (aScale: number, bScale: number) => ({
    exp: lsbExp + sa.exp[aScale] + sb.exp[bScale],
    mul: sa.mul[aScale] * sb.mul[bScale], // exact: 1, or two 4-bit significands
  });
  return {
    a, b, blockSize: k, adderBits, lsbExp, truncates: shift > 0,
    product: (x, y) => prod[(x << bBits) | y],
    products: prod,
    bBits,
    scaleExpA: sa.exp, scaleMulA: sa.mul, scaleExpB: sb.exp, scaleMulB: sb.mul,
    scalePair,
    blockValue(aCodes, aOff, aScale, bCodes, bOff, bScale, len) {
      if (len > k) throw new Error(`block of ${len} elements exceeds the block size ${k}`);
      const { exp, mul } = scalePair(aScale, bScale);
      // a sum of integers below 2^53 in magnitude is exact in float64
      let s = 0;
      for (let i = 0; i < len; i++) s += prod[(aCodes[aOff + i] << bBits) | bCodes[bOff + i]];
      return scaleByPow2(s * mul, exp);
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
