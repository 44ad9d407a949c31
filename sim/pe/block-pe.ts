/**
 * Block PEs (MX and NVFP4 kinds: mxfp8-e4m3, ..., nvfp4): a PE whose multiplier is the block
 * dot-product unit of block-dot.ts. Operands are block-operand patterns (element, its
 * block's scale, a block-start flag; block-formats.ts) that the array moves like any other.
 *
 * What the PE computes, in any order the dataflow adds products: the products of one block
 * are summed exactly (the unit's adder tree), both scales applied, and the block enters the
 * accumulator with one rounding when the next block begins or the partial sum leaves the
 * PE. A run of products that begins inside a block (a K fold boundary that cuts a block:
 * array rows not a multiple of the block size) therefore splits that block into two parts,
 * each summed exactly and rounded into the accumulator on its own: one extra rounding per
 * cut block, and no other difference. With rows a multiple of the block size (or the os
 * dataflow, which streams all of K through one PE) no block is cut.
 *
 * `mul` (one product alone, e.g. `bitweave mul`) is the exact product of the two elements
 * and their scales, rounded once into fp32 (the product format). NVFP4's per-tensor FP32
 * scales are outside the PE: whoever quantized the operands multiplies the result by them
 * (the GEMM's alpha; models/exec/backends.ts).
 */
import { adderWidth, makeBlockDotUnit } from './block-dot.ts';
import { BlockAccumulator, blockTile } from './block-tile.ts';
import { operandElement, operandScale, operandStarts, type BlockOperandFormat } from './block-formats.ts';
import { decodeBlockOperand, encodeBlockOperand, quantizeAlongK } from './block-operand.ts';
import type { Accumulator } from './accumulator.ts';
import { encodeFloat } from './float-codec.ts';
import { FP32 } from './formats.ts';
import { FP32_ACCUMULATION, isPlainFp32Accumulation, type AccumulatorSpec } from './limited-acc.ts';
import { scaleByPow2 } from './pow2.ts';
import type { PeKind, TileKernel } from './types.ts';

export interface BlockPeSpec {
  readonly name: string;
  readonly description: string;
  readonly input: BlockOperandFormat;
  readonly weight: BlockOperandFormat;
}

export function buildBlockPe(spec: BlockPeSpec, acc: Accumulator, accSpec: AccumulatorSpec | undefined): PeKind {
  const fa = spec.input, fb = spec.weight;
  // The unit's tables (every element product, every scale) are made on first use, as the
  // scalar kinds' are (builder.ts): a timing-only run never multiplies.
  let built: BlockArithmetic | undefined;
  const arithmetic = () => (built ??= blockArithmetic(fa, fb, acc, accSpec));
  const productValue = (a: number, b: number) => arithmetic().productValue(a, b);
  const mul = (a: number, b: number) => encodeFloat(FP32, productValue(a, b));
  const add = acc.add;
  return {
    name: spec.name,
    description: spec.description,
    reuse: 'none',
    multiplier: 'block',
    input: fa,
    weight: fb,
    product: FP32,
    acc: acc.format,
    inputRounding: 'rne',
    quantizeOptions: { round: 'rne', saturate: true },
    quantizeInput: (x) => encodeBlockOperand(fa, x),
    quantizeWeight: (x) => encodeBlockOperand(fb, x),
    mul,
    mulMany: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = mul(a[i], b[i]);
    },
    accZero: acc.zero,
    mac: (st, a, b) => add(st, productValue(a, b)),
    addAcc: add,
    get dot() {
      return arithmetic().dot;
    },
    get tile() {
      return arithmetic().tile;
    },
    ...(accSpec !== undefined && { accumulation: accSpec }),
    block: {
      input: fa,
      weight: fb,
      adderBits: adderWidth(fa.block.element, fb.block.element, fa.block.blockSize),
      quantize: (role, values, vectors, k, vecStride, kStride, perVector) =>
        quantizeAlongK(role === 'input' ? fa : fb, values, vectors, k, vecStride, kStride, perVector),
      step(st, pending, a, b, out) {
        const p = productValue(a, b);
        if (operandStarts(fa, a)) {
          out[0] = p;
          return add(st, pending);
        }
        out[0] = pending + p; // same block, same scales: exact (at most 53 bits)
        return st;
      },
      flush: (st, pending) => add(st, pending),
    },
    accToBits: acc.toBits,
    accFromBits: acc.fromBits,
    accValue: acc.value,
    inputValue: (bits) => decodeBlockOperand(fa, bits),
    weightValue: (bits) => decodeBlockOperand(fb, bits),
  };
}

interface BlockArithmetic {
  readonly productValue: (a: number, b: number) => number;
  readonly dot: PeKind['dot'];
  /** `dot`'s bits, whole tiles at a time (block-tile.ts) */
  readonly tile: TileKernel;
}

/** The block unit's tables and the PE's dot product over them (one product at a time: `productValue`). */
function blockArithmetic(
  fa: BlockOperandFormat, fb: BlockOperandFormat, acc: Accumulator, accSpec: AccumulatorSpec | undefined,
): BlockArithmetic {
  const unit = makeBlockDotUnit(fa.block, fb.block);
  const promote = accSpec?.promote ?? 0;
  const add = acc.add;
  // a plain fp32 register (registerAccumulator's default, no promotion): the kernel may round inline
  const fp32Nearest = isPlainFp32Accumulation(accSpec ?? FP32_ACCUMULATION);
  /** the exact value of a product, its scales applied (a block of one) */
  const productValue = (a: number, b: number): number => {
    const { exp, mul } = unit.scalePair(operandScale(fa, a), operandScale(fb, b));
    return scaleByPow2(unit.product(operandElement(fa, a), operandElement(fb, b)) * mul, exp);
  };
  // the hot loop reads the pattern fields with bit operations and the products from a table
  const prod = unit.products, bBits = unit.bBits;
  const aMask = 2 ** fa.elementBits - 1, bMask = 2 ** fb.elementBits - 1;
  const aStart = 2 ** (fa.bits - 1);
  const aShift = fa.elementBits, bShift = fb.elementBits;
  const { lsbExp, scaleExpA: expA, scaleMulA: mulA, scaleExpB: expB, scaleMulB: mulB } = unit;
  // one accumulator state machine for `dot` and the tile kernel: the same code per block
  const st = new BlockAccumulator(add, promote);
  const dot: PeKind['dot'] = (a, aOff, aStride, b, bOff, bStride, n, acc0) => {
    // the pending block: its exact sum in the tree's units, its scales, its length
    st.start(0, acc0);
    let pend = 0, len = 0, exp = 0, mulS = 1;
    for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStride, ib += bStride) {
      const x = a[ia], y = b[ib];
      if (len === 0 || x >= aStart) {
        if (len > 0) st.enter(0, pend, mulS, exp, len);
        const ca = (x >>> aShift) & 0xff, cb = (y >>> bShift) & 0xff;
        exp = lsbExp + expA[ca] + expB[cb];
        mulS = mulA[ca] * mulB[cb];
        pend = 0;
        len = 0;
      }
      pend += prod[((x & aMask) << bBits) | (y & bMask)];
      len++;
    }
    return len > 0 ? st.last(0, pend, mulS, exp) : st.none(0);
  };
  let tile: TileKernel | undefined;
  return {
    productValue, dot,
    // its tables are made when first asked for (a run of `dot` alone never needs them)
    get tile() {
      return (tile ??= blockTile(fa, fb, unit, add, promote, dot, fp32Nearest));
    },
  };
}
