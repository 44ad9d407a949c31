/**
 * Tile kernels: a GEMM pass over whole tiles with the PE's arithmetic, computing for every
 * output exactly what `dot` computes (the same products, added one by one in k order, from
 * the output's current state), but in i-k-j order: one activation against a row of weights,
 * so the inner loop is a table lookup and an add over contiguous typed arrays, with no call
 * per product. Each output still receives its products in increasing k, so the bits are
 * those of `dot`; tests hold the two equal bit for bit (test/pe/tile-kernels.test.ts) and
 * the precision baseline pins them.
 *
 * Three families:
 * - product table (operand pairs of at most 16 bits: fp8, L-Mul on fp8, int8/int4, ternary,
 *   XNOR): every product's value in one 64 K table, index (a << weightBits) | b;
 * - decoded floats (bf16, fp16, fp32 with exact products rounded once into fp32): operands
 *   decoded once, the product formed in float64 and rounded to fp32 as `dot` does;
 * - L-Mul on 16-bit-or-narrower float formats (bf16, e8m3, e8m4): the adder's result depends
 *   on the operands' signs and on the SUM of their magnitude codes only (lmul.ts: r = |x| +
 *   |y| - constant), so one table indexed by |a| + |b| (per sign pair) gives the product's
 *   value: one integer addition and one lookup per MAC, as in hardware.
 *
 * Two exact shortcuts that change no bit:
 * - skip zero rows: an activation whose product with every weight of the tile is +-0 adds
 *   nothing. fround(s + p) differs from s for p = +-0 only when s = -0 and p = +0, and a sum
 *   of fp32 values is -0 only when both terms are (a non-zero exact sum of fp32 values is at
 *   least 2^-149 in magnitude and never rounds to zero); so when no starting state of the row
 *   is -0, no state ever is, and skipping is exact. Integer sums have no signed zero.
 * - exact accumulation: when every product of a row is a multiple of a quantum q and the sum
 *   of their magnitudes (plus the starting states) stays below 2^24 q, every partial sum is an
 *   fp32 value, so each fp32 addition is exact and plain float64 addition (no rounding step)
 *   gives the same bits. Integer accumulators wrap modulo 2^32, which commutes with exact
 *   float64 sums below 2^53.
 *
 * Rows that meet a special operand (NaN, Inf, a zero activation when skipping is not allowed)
 * and tiles whose weights hold a special value go through the generic path: the PE's product
 * value and accumulator addition, product by product, in the same order.
 */
import { floatDecodeTable } from './float-codec.ts';
import type { FloatFormat } from './formats.ts';
import { pow2 } from './pow2.ts';
import type { PeKind, PreparedWeights, TileKernel } from './types.ts';

/** The generic path: the float64 value of a product and the accumulator's addition. */
export interface ScalarArith {
  readonly productValue: (a: number, b: number) => number;
  readonly add: (state: number, value: number) => number;
}

/** The PE's tile kernel, if it has one that reproduces its current `dot` (a wrapper that replaces `dot` loses it). */
export function tileKernelOf(pe: PeKind): TileKernel | undefined {
  const t = pe.tile;
  return t !== undefined && t.dot === pe.dot ? t : undefined;
}

/** Weight codes b(p, j) row-major at p * n + j, from any layout b[p * bRow + j * bCol]. */
function rowMajorCodes(b: ArrayLike<number>, bRow: number, bCol: number, k: number, n: number): Uint32Array {
  const codes = new Uint32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) codes[p * n + j] = b[p * bRow + j * bCol];
  return codes;
}

class Prepared implements PreparedWeights {
  constructor(
    readonly kernel: TileKernel,
    readonly k: number,
    readonly n: number,
    /** raw weight codes, row-major (the generic path) */
    readonly codes: Uint32Array,
    /** the family's weight operand: codes, table offsets or decoded values */
    readonly w: Uint32Array | Int32Array | Float64Array,
    /** per activation code: the largest |product| with any weight of the tile (NaN if one is NaN) */
    readonly rowMax: Float64Array | undefined,
    /** the tile holds a weight the fast path cannot take (NaN, Inf): generic path throughout */
    readonly special: boolean,
  ) {}
}

function preparedFor(kernel: TileKernel, w: PreparedWeights): Prepared {
  if (!(w instanceof Prepared) || w.kernel !== kernel) throw new Error('tile kernel: weights prepared by another kernel');
  return w;
}

/** No starting state of row i is -0 (so zero products may be skipped). */
function rowHasNoNegZero(acc: Float64Array, ci: number, n: number): boolean {
  for (let j = ci; j < ci + n; j++) if (acc[j] === 0 && 1 / acc[j] < 0) return false;
  return true;
}

/** Generic path for one activation against one weight row: the PE's products and adds, in order. */
function genericRow(s: ScalarArith, code: number, codes: Uint32Array, row: number, acc: Float64Array, ci: number, n: number): void {
  const { productValue, add } = s;
  for (let j = 0; j < n; j++) acc[ci + j] = add(acc[ci + j], productValue(code, codes[row + j]));
}

/** Largest power of two dividing every finite non-zero entry (the grid all products lie on). */
function quantumOf(values: Float64Array): number {
  let q = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (v === 0 || v === Infinity || v !== v || v % q === 0) continue;
    let t = pow2(Math.floor(Math.log2(v)) + 1);
    while (v % t !== 0) t /= 2;
    q = t;
  }
  return q === Infinity ? 1 : q;
}

export type TableAcc = 'fp32' | 'int32';

/**
 * Product-table kernel. `table[(a << shift) | b]` is the value of a*b; `acc` is a plain fp32
 * adder (Math.fround after each addition) or a wrapping int32 one.
 */
export function tableTile(table: Float64Array, shift: number, inputBits: number, accKind: TableAcc, dot: PeKind['dot']): TileKernel {
  const codesIn = 2 ** inputBits;
  const codesW = 2 ** shift;
  // integer states are always on the integer grid
  const q = accKind === 'fp32' ? quantumOf(table) : 1;
  // fp32: partial sums below 2^24 q are fp32 values; int32: float64 sums below 2^53 are exact
  const limit = accKind === 'fp32' ? 2 ** 24 * q : 2 ** 53;
  const fp32 = accKind === 'fp32';
  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = rowMajorCodes(b, bRow, bCol, k, n);
      const present = new Uint8Array(codesW);
      for (let i = 0; i < codes.length; i++) present[codes[i]] = 1;
      const rowMax = new Float64Array(codesIn);
      for (let a = 0; a < codesIn; a++) {
        let mx = 0;
        for (let c = 0; c < codesW; c++) {
          if (!present[c]) continue;
          const v = Math.abs(table[(a << shift) | c]);
          if (v !== v) {
            mx = NaN;
            break;
          }
          if (v > mx) mx = v;
        }
        rowMax[a] = mx;
      }
      return new Prepared(kernel, k, n, codes, codes, rowMax, false);
    },
    pass(a, prepared, m, k0, ku, acc) {
      const w = preparedFor(kernel, prepared);
      const { k, n, codes } = w;
      const rowMax = w.rowMax as Float64Array;
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k;
        let bound = 0, onGrid = true;
        for (let j = ci; j < ci + n; j++) {
          const c = acc[j];
          if (Math.abs(c) > bound) bound = Math.abs(c);
          if (c !== 0 && c % q !== 0) onGrid = false; // NaN and Inf are on no grid
        }
        for (let p = k0; p < k0 + ku; p++) bound += rowMax[a[ai + p]];
        const skip = !fp32 || rowHasNoNegZero(acc, ci, n);
        if (onGrid && bound < limit) {
          // exact: float64 sums equal the adder's (fp32 rounding is the identity on them)
          for (let p = k0; p < k0 + ku; p++) {
            const code = a[ai + p];
            if (skip && rowMax[code] === 0) continue;
            const base = code << shift, row = p * n;
            for (let j = 0; j < n; j++) acc[ci + j] += table[base | codes[row + j]];
          }
          if (!fp32) for (let j = ci; j < ci + n; j++) acc[j] |= 0;
        } else if (fp32) {
          for (let p = k0; p < k0 + ku; p++) {
            const code = a[ai + p];
            if (skip && rowMax[code] === 0) continue;
            const base = code << shift, row = p * n;
            for (let j = 0; j < n; j++) acc[ci + j] = Math.fround(acc[ci + j] + table[base | codes[row + j]]);
          }
        } else {
          for (let p = k0; p < k0 + ku; p++) {
            const base = a[ai + p] << shift, row = p * n;
            for (let j = 0; j < n; j++) acc[ci + j] = (acc[ci + j] + table[base | codes[row + j]]) | 0;
          }
        }
      }
    },
  };
  return kernel;
}

/**
 * Decoded-float kernel: float multiplier with the exact product rounded once into fp32
 * (Math.fround), plain fp32 adder. `decA` / `decB` give the operands' values.
 */
export function decodedTile(decA: (code: number) => number, decB: (code: number) => number, dot: PeKind['dot']): TileKernel {
  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = rowMajorCodes(b, bRow, bCol, k, n);
      const values = new Float64Array(codes.length);
      let finite = true;
      for (let i = 0; i < codes.length; i++) {
        const v = decB(codes[i]);
        values[i] = v;
        if (!Number.isFinite(v)) finite = false;
      }
      // with a non-finite weight, 0 * w is NaN: zero activations are not skipped (`special`)
      return new Prepared(kernel, k, n, codes, values, undefined, !finite);
    },
    pass(a, prepared, m, k0, ku, acc) {
      const w = preparedFor(kernel, prepared);
      const { k, n } = w;
      const values = w.w as Float64Array;
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k;
        const skip = !w.special && rowHasNoNegZero(acc, ci, n);
        for (let p = k0; p < k0 + ku; p++) {
          const av = decA(a[ai + p]);
          if (skip && av === 0) continue;
          const row = p * n;
          for (let j = 0; j < n; j++) acc[ci + j] = Math.fround(acc[ci + j] + Math.fround(av * values[row + j]));
        }
      }
    },
  };
  return kernel;
}

/**
 * L-Mul kernel for an IEEE-style float format of at most 16 bits. Two tables, one per activation sign, each
 * of 6 regions of 2^(bits-1) entries (M):
 *   [0, 2M)   weight positive, at |a| + |b|      [2M, 4M)  weight negative, at 2M + |a| + |b|
 *   [4M, 5M)  weight +0/subnormal, at 4M + |a|   [5M, 6M)  weight -0/subnormal, at 5M + |a|
 * A weight becomes its region offset (plus |b| for normal weights); an activation row picks
 * its sign's table and adds |a|. Every entry is the PE's own product (`mulMany`, bit patterns
 * in and out), decoded: the table only stores what the PE computes, for one representative
 * pair per index (tests check the kernel against `dot` on every operand pair of e8m3).
 */
export function lmulTile(f: FloatFormat, mulMany: PeKind['mulMany'], dot: PeKind['dot'], scalar: ScalarArith): TileKernel {
  const M = f.signBit, S = f.signBit;
  const unit = 2 ** f.manBits;
  const maxMag = f.maxFiniteCode;
  const dec = floatDecodeTable(f);
  // one representative operand pair per entry, all multiplied by the PE in one call
  const index: number[] = [], as: number[] = [], bs: number[] = [];
  const entry = (i: number, a: number, b: number) => {
    index.push(i);
    as.push(a);
    bs.push(b);
  };
  for (let x = 2 * unit; x <= 2 * maxMag; x++) {
    const ma = x - unit <= maxMag ? x - unit : maxMag;
    const mb = x - ma;
    entry(x, ma, mb);
    entry(2 * M + x, ma, mb + S);
    entry(6 * M + x, ma + S, mb);
    entry(8 * M + x, ma + S, mb + S);
  }
  for (let ma = unit; ma <= maxMag; ma++) {
    entry(4 * M + ma, ma, 0);
    entry(5 * M + ma, ma, S);
    entry(10 * M + ma, ma + S, 0);
    entry(11 * M + ma, ma + S, S);
  }
  const products = new Uint32Array(index.length);
  mulMany(as, bs, products, index.length);
  // both tables in one array: positive activations at [0, 6M), negative ones at [6M, 12M);
  // an fp32 value per entry (formats of at most 16 bits with fp32's exponent range or less)
  const both = new Float32Array(12 * M).fill(NaN);
  for (let e = 0; e < index.length; e++) both[index[e]] = dec[products[e]];
  const pos = both.subarray(0, 6 * M), neg = both.subarray(6 * M);
  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = rowMajorCodes(b, bRow, bCol, k, n);
      const offs = new Int32Array(codes.length);
      let special = false;
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        const mag = c & (M - 1), sb = c >= S;
        if (mag > maxMag) special = true; // Inf, NaN
        offs[i] = mag < unit ? (sb ? 5 * M : 4 * M) : mag + (sb ? 2 * M : 0);
      }
      return new Prepared(kernel, k, n, codes, offs, undefined, special);
    },
    pass(a, prepared, m, k0, ku, acc) {
      const w = preparedFor(kernel, prepared);
      const { k, n, codes } = w;
      const offs = w.w as Int32Array;
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k;
        const skip = rowHasNoNegZero(acc, ci, n);
        for (let p = k0; p < k0 + ku; p++) {
          const code = a[ai + p];
          const ma = code & (M - 1);
          const row = p * n;
          if (w.special || ma > maxMag || (ma < unit && !skip)) {
            genericRow(scalar, code, codes, row, acc, ci, n);
            continue;
          }
          if (ma < unit) continue; // +-0 products with every (finite) weight
          const t = code >= S ? neg : pos;
          for (let j = 0; j < n; j++) acc[ci + j] = Math.fround(acc[ci + j] + t[ma + offs[row + j]]);
        }
      }
    },
  };
  return kernel;
}
