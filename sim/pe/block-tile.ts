/**
 * The block PEs' tile kernel (MX and NVFP4 kinds, block-pe.ts): for every output exactly the
 * bits their `dot` computes, without a table lookup and a branch per product.
 *
 * `dot` sums each block's products in the unit's fixed-point tree (block-dot.ts): integers in
 * units of the tree's LSB 2^lsbExp, every partial sum below 2^52 in magnitude (the tree is at
 * most 53 bits wide with its sign). Such a sum is exact in float64 in ANY order, so here each
 * operand is decoded once into its integer value in units of its element quantum (weights
 * once per weight tensor in `prepare`, activations once per row of a pass), and a block's sum
 * is a plain float64 dot product of its elements, four partial sums at a time: the same
 * integer, so the same bits. MXFP8 E5M2's tree truncates each product toward zero at its LSB
 * (2^shift quanta): its weights are decoded pre-divided by 2^shift, and the product of two
 * decoded elements (at most 3 significant bits each, so exact in float64) is truncated, as
 * the unit's product table is. `blockTile` checks both identities against the unit's table
 * for every pair of finite element codes before it returns.
 *
 * The block's scales and its one rounding into the accumulator (with promotion) go through
 * BlockAccumulator, the code `dot` itself runs once per block.
 *
 * Blocks are where `dot` finds them: a run begins at the pass's first product and at every
 * activation whose block-start flag is set, and takes both scales from its first element.
 * A row whose run is longer than the block size (patterns not made by quantizeAlongK), that
 * holds a NaN or Inf element or starts a run with a NaN scale, and a weight column that holds
 * a NaN or Inf element or a NaN scale, go through `dot` itself for their outputs.
 */
import { quantumExp, type BlockDotUnit } from './block-dot.ts';
import { elementTable, type BlockOperandFormat } from './block-formats.ts';
import { scaleByPow2 } from './pow2.ts';
import type { PeKind, PreparedWeights, TileKernel } from './types.ts';

/**
 * An output's accumulator while blocks enter it, as `dot` keeps it: the register `s` (one
 * rounding per block, `add`), and with promotion the fp32 accumulator `full` that the
 * register is added into every `promote` products (counted in whole blocks).
 */
export class BlockAccumulator {
  full = 0;
  s = 0;
  since = 0;
  constructor(
    private readonly add: (state: number, value: number) => number,
    private readonly promote: number,
  ) {}

  start(acc0: number): void {
    this.full = acc0;
    this.s = this.promote > 0 ? 0 : acc0;
    this.since = 0;
  }

  /** a block that is not the run's last: its exact sum (LSB units) scaled, rounded in */
  enter(pend: number, mul: number, exp: number, len: number): void {
    this.s = this.add(this.s, scaleByPow2(pend * mul, exp));
    if (this.promote > 0 && (this.since += len) >= this.promote) {
      this.full = Math.fround(this.full + this.s);
      this.s = 0;
      this.since = 0;
    }
  }

  /** the run's last block: the state the run leaves */
  last(pend: number, mul: number, exp: number): number {
    this.s = this.add(this.s, scaleByPow2(pend * mul, exp));
    if (this.promote > 0) this.full = Math.fround(this.full + this.s);
    return this.promote > 0 ? this.full : this.s;
  }

  /** a run of no products */
  none(): number {
    return this.promote > 0 ? Math.fround(this.full + this.s) : this.s;
  }
}

class BlockPrepared implements PreparedWeights {
  constructor(
    readonly kernel: TileKernel,
    readonly k: number,
    readonly n: number,
    /** the weight patterns, column-major (output j's at j * k): `dot`'s operand for special columns */
    readonly codes: Float64Array,
    /** decoded elements, column-major: integers in quanta (E5M2: divided by 2^shift) */
    readonly values: Float64Array,
    /** scale code of every weight, column-major */
    readonly scales: Uint8Array,
    /** per column: 1 if it holds a NaN or Inf element or a NaN scale (`dot` takes its outputs) */
    readonly special: Uint8Array,
  ) {}
}

/** Float64 sum of x[xo + p] * y[yo + p], p < len (exact: integers, every partial sum below 2^53). */
function sumExact(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p = 0;
  for (; p + 4 <= len; p += 4) {
    s0 += x[xo + p] * y[yo + p];
    s1 += x[xo + p + 1] * y[yo + p + 1];
    s2 += x[xo + p + 2] * y[yo + p + 2];
    s3 += x[xo + p + 3] * y[yo + p + 3];
  }
  for (; p < len; p++) s0 += x[xo + p] * y[yo + p];
  return s0 + s1 + (s2 + s3);
}

/** The same with each product truncated toward zero (E5M2's tree; y pre-divided by 2^shift). */
function sumTruncated(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p = 0;
  for (; p + 4 <= len; p += 4) {
    s0 += Math.trunc(x[xo + p] * y[yo + p]);
    s1 += Math.trunc(x[xo + p + 1] * y[yo + p + 1]);
    s2 += Math.trunc(x[xo + p + 2] * y[yo + p + 2]);
    s3 += Math.trunc(x[xo + p + 3] * y[yo + p + 3]);
  }
  for (; p < len; p++) s0 += Math.trunc(x[xo + p] * y[yo + p]);
  return s0 + s1 + (s2 + s3);
}

/** element codes -> integer values in quanta (NaN and Inf stay), times `factor` */
function integerTable(f: BlockOperandFormat, factor: number): Float64Array {
  const t = elementTable(f.block.element);
  const q = 2 ** -quantumExp(f.block.element);
  return t.map((v) => v * q * factor);
}

/**
 * The tile kernel of a block PE whose `dot` is `dot`, over `unit` with accumulator addition
 * `add` and promotion interval `promote` (0: none).
 */
export function blockTile(
  fa: BlockOperandFormat, fb: BlockOperandFormat, unit: BlockDotUnit,
  add: (state: number, value: number) => number, promote: number, dot: PeKind['dot'],
): TileKernel {
  const shift = unit.lsbExp - quantumExp(fa.block.element) - quantumExp(fb.block.element);
  const intA = integerTable(fa, 1), intB = integerTable(fb, 2 ** -shift);
  const truncates = unit.truncates;
  // the identities the kernel rests on, for every pair of finite codes (at most 2^16 pairs)
  for (let x = 0; x < intA.length; x++) {
    for (let y = 0; y < intB.length; y++) {
      if (!Number.isFinite(intA[x]) || !Number.isFinite(intB[y])) continue;
      const p = intA[x] * intB[y];
      if ((truncates ? Math.trunc(p) : p) !== unit.products[(x << unit.bBits) | y]) {
        throw new Error(`block tile kernel ${fa.name} x ${fb.name}: product of codes ${x}, ${y} is not the unit's`);
      }
    }
  }
  const kb = unit.blockSize;
  const aMask = 2 ** fa.elementBits - 1, bMask = 2 ** fb.elementBits - 1;
  const aStart = 2 ** (fa.bits - 1);
  const aShift = fa.elementBits, bShift = fb.elementBits;
  const { lsbExp, scaleExpA: expA, scaleMulA: mulA, scaleExpB: expB, scaleMulB: mulB } = unit;
  const sum = truncates ? sumTruncated : sumExact;
  const st = new BlockAccumulator(add, promote);
  // scratch for one row of a pass: decoded elements, run starts, the runs' A scale parts
  let rowValues = new Float64Array(64), starts = new Int32Array(65), runExp = new Float64Array(64), runMul = new Float64Array(64);

  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = new Float64Array(k * n), values = new Float64Array(k * n);
      const scales = new Uint8Array(k * n), special = new Uint8Array(n);
      for (let j = 0; j < n; j++) {
        for (let p = 0; p < k; p++) {
          const y = b[p * bRow + j * bCol], q = j * k + p;
          const v = intB[y & bMask], c = (y >>> bShift) & 0xff;
          codes[q] = y;
          values[q] = v;
          scales[q] = c;
          if (!Number.isFinite(v) || Number.isNaN(mulB[c])) special[j] = 1;
        }
      }
      return new BlockPrepared(kernel, k, n, codes, values, scales, special);
    },
    pass(a, w, m, k0, ku, acc) {
      if (!(w instanceof BlockPrepared) || w.kernel !== kernel) throw new Error('block tile kernel: weights prepared by another kernel');
      const { k, n, codes, values, scales, special } = w;
      if (rowValues.length < ku) {
        rowValues = new Float64Array(ku);
        starts = new Int32Array(ku + 1);
        runExp = new Float64Array(ku);
        runMul = new Float64Array(ku);
      }
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k + k0;
        // the row's runs as `dot` cuts them, its elements decoded
        let runs = 0, fast = true;
        for (let p = 0; p < ku; p++) {
          const x = a[ai + p];
          if (p === 0 || x >= aStart) {
            if (runs > 0 && p - starts[runs - 1] > kb) fast = false;
            const c = (x >>> aShift) & 0xff;
            starts[runs] = p;
            runExp[runs] = lsbExp + expA[c];
            runMul[runs] = mulA[c];
            if (Number.isNaN(mulA[c])) fast = false;
            runs++;
          }
          const v = intA[x & aMask];
          if (!Number.isFinite(v)) fast = false;
          rowValues[p] = v;
        }
        starts[runs] = ku;
        if (runs > 0 && ku - starts[runs - 1] > kb) fast = false;
        for (let j = 0; j < n; j++) {
          const bj = j * k + k0;
          if (!fast || special[j] === 1) {
            acc[ci + j] = dot(a, ai, 1, codes, bj, 1, ku, acc[ci + j]);
            continue;
          }
          st.start(acc[ci + j]);
          if (runs === 0) {
            acc[ci + j] = st.none();
            continue;
          }
          for (let r = 0; ; r++) {
            const p0 = starts[r], len = starts[r + 1] - p0;
            const pend = sum(rowValues, p0, values, bj + p0, len);
            const c = scales[bj + p0];
            const exp = runExp[r] + expB[c], mul = runMul[r] * mulB[c];
            if (r === runs - 1) {
              acc[ci + j] = st.last(pend, mul, exp);
              break;
            }
            st.enter(pend, mul, exp, len);
          }
        }
      }
    },
  };
  return kernel;
}
