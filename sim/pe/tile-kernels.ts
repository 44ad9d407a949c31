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
import { f32Rows, type LmulRows, type ProductRounding } from './wasm/f32-rows.ts';
import { valuesForm, type NarrowFormat } from './wasm/narrow-quantize.ts';
import { lmulConstant } from './lmul.ts';

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

class Prepared implements PreparedWeights {
  constructor(
    readonly kernel: TileKernel,
    readonly k: number,
    readonly n: number,
    /** raw weight codes, row-major (the generic path) */
    readonly codes: Uint32Array,
    /** the family's weight operand, row-major (weight (p, j) at p * n + j): codes, table offsets or decoded values */
    readonly w: Uint32Array | Int32Array | Float64Array,
    /** per activation code: the largest |product| with any weight of the tile (NaN if one is NaN) */
    readonly rowMax: Float64Array | undefined,
    /** the tile holds a weight the fast path cannot take (NaN, Inf): generic path throughout */
    readonly special: boolean,
    /** decoded weight values, row-major (table kernels of exact multipliers) */
    readonly decoded?: Float64Array,
    /** per activation code: its product with every weight of the tile is the decoded values' product */
    readonly exactWith?: Uint8Array,
    /** the weights' values as fp32 (every one an fp32 value), for the WebAssembly rows */
    readonly w32?: Float32Array,
    /** per activation code, 1 if its rows may go to the WebAssembly rows (table kernels) */
    readonly usable?: Uint8Array,
    /** L-Mul kernels' WebAssembly rows: the weights' signs and the adder's constants */
    readonly lmul?: LmulRows,
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

/**
 * The rows of a pass that the WebAssembly fp32 rows (wasm/f32-rows.ts) can take, run there:
 * an fp32 adder, every product an fp32 value or rounded once into fp32 (x * w in binary32,
 * then into `rounding`'s format if given), every starting state an fp32 value. Those rows get
 * exactly the bits of rowFp32Decoded (and of rowFp32Table, whose entries are then those
 * products). Returns per row 1 (done) or 0 (left to the TypeScript loops), or undefined when
 * the kernel is off. `usable` (per code) says which codes may enter.
 */
function passF32(
  a: ArrayLike<number>, m: number, k: number, k0: number, ku: number, n: number, acc: Float64Array,
  w32: Float32Array, dec: Float32Array | 'bits', usable: Uint8Array | undefined, keepZeros: boolean,
  rounding?: ProductRounding, lmul?: LmulRows, int?: boolean, fresh?: boolean, cols?: Int32Array, out32?: Float32Array,
): Uint8Array | undefined {
  const wasm = f32Rows();
  if (!wasm) return undefined;
  return wasm.pass({ a, m, k, k0, ku, n, acc, w: w32, dec, usable, keepZeros, rounding, lmul, int, fresh, cols, out32 });
}

/** every row ran (passF32's flags), so its fp32 results are in `out32` */
const allRan = (flags: Uint8Array | undefined): boolean => flags !== undefined && flags.every((f) => f === 1);
const NO_STATES = new Float64Array(0);

/** Generic path for one activation against one weight row: the PE's products and adds, in order. */
function genericRow(s: ScalarArith, code: number, codes: Uint32Array, row: number, acc: Float64Array, ci: number, n: number): void {
  const { productValue, add } = s;
  for (let j = 0; j < n; j++) acc[ci + j] = add(acc[ci + j], productValue(code, codes[row + j]));
}

/**
 * One row's kept products: their weight rows (p * n) and the activation's operand (a table
 * base, an offset or a decoded value). A row of A is walked once to build it; each output of
 * the row then adds its products in a register (eight outputs at a time), in the same k order.
 * Scratch per kernel, grown as needed (a pass never re-enters its own kernel).
 */
class RowList {
  p = new Int32Array(256);
  i = new Int32Array(256);
  v = new Float64Array(256);
  fit(ku: number): void {
    if (this.p.length >= ku) return;
    this.p = new Int32Array(ku);
    this.i = new Int32Array(ku);
    this.v = new Float64Array(ku);
  }
}

/*
 * The loops below: one row's kept products (k offsets p[u] = k * n, the activation's operand
 * X[u]) against B row-major (output j's weight at p[u] + j), eight outputs at a time summed in
 * registers, each output's products in k order. They take monomorphic typed arrays only, so
 * every kernel shares their optimized code. One is written out per arithmetic on purpose: a
 * callback or a test of the arithmetic per product costs more than the loop it would share
 * (the plain fp32 reference, models/exec/backends.ts gemmF64, has the same shape over fp32
 * weights for the same reason).
 */


/** acc[ci + j] += sum over u of X[u] * w[p[u] + j], float64 (callers guarantee every sum is exact; block-tile.ts too). */
export function rowExactDecoded(X: Float64Array, p: Int32Array, t: number, w: Float64Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 += x * w[q];
      s1 += x * w[q + 1];
      s2 += x * w[q + 2];
      s3 += x * w[q + 3];
      s4 += x * w[q + 4];
      s5 += x * w[q + 5];
      s6 += x * w[q + 6];
      s7 += x * w[q + 7];
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s += X[u] * w[p[u] + j];
    acc[ci + j] = s;
  }
}

/** Product table, float64 sums (exact sums only): acc[ci + j] += sum of table[X[u] | w[p[u] + j]]. */
function rowExactTable(table: Float64Array, X: Int32Array, p: Int32Array, t: number, w: Uint32Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 += table[x | w[q]];
      s1 += table[x | w[q + 1]];
      s2 += table[x | w[q + 2]];
      s3 += table[x | w[q + 3]];
      s4 += table[x | w[q + 4]];
      s5 += table[x | w[q + 5]];
      s6 += table[x | w[q + 6]];
      s7 += table[x | w[q + 7]];
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s += table[X[u] | w[p[u] + j]];
    acc[ci + j] = s;
  }
}

/** Product table, fp32 adder: acc = fround(acc + product), product by product in k order. */
function rowFp32Table(table: Float64Array, X: Int32Array, p: Int32Array, t: number, w: Uint32Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 = Math.fround(s0 + table[x | w[q]]);
      s1 = Math.fround(s1 + table[x | w[q + 1]]);
      s2 = Math.fround(s2 + table[x | w[q + 2]]);
      s3 = Math.fround(s3 + table[x | w[q + 3]]);
      s4 = Math.fround(s4 + table[x | w[q + 4]]);
      s5 = Math.fround(s5 + table[x | w[q + 5]]);
      s6 = Math.fround(s6 + table[x | w[q + 6]]);
      s7 = Math.fround(s7 + table[x | w[q + 7]]);
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s = Math.fround(s + table[X[u] | w[p[u] + j]]);
    acc[ci + j] = s;
  }
}

/** Product table, wrapping int32 adder. */
function rowInt32Table(table: Float64Array, X: Int32Array, p: Int32Array, t: number, w: Uint32Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 = (s0 + table[x | w[q]]) | 0;
      s1 = (s1 + table[x | w[q + 1]]) | 0;
      s2 = (s2 + table[x | w[q + 2]]) | 0;
      s3 = (s3 + table[x | w[q + 3]]) | 0;
      s4 = (s4 + table[x | w[q + 4]]) | 0;
      s5 = (s5 + table[x | w[q + 5]]) | 0;
      s6 = (s6 + table[x | w[q + 6]]) | 0;
      s7 = (s7 + table[x | w[q + 7]]) | 0;
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s = (s + table[X[u] | w[p[u] + j]]) | 0;
    acc[ci + j] = s;
  }
}

/** Decoded floats: acc = fround(acc + fround(a * b)), product by product in k order. */
function rowFp32Decoded(X: Float64Array, p: Int32Array, t: number, w: Float64Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 = Math.fround(s0 + Math.fround(x * w[q]));
      s1 = Math.fround(s1 + Math.fround(x * w[q + 1]));
      s2 = Math.fround(s2 + Math.fround(x * w[q + 2]));
      s3 = Math.fround(s3 + Math.fround(x * w[q + 3]));
      s4 = Math.fround(s4 + Math.fround(x * w[q + 4]));
      s5 = Math.fround(s5 + Math.fround(x * w[q + 5]));
      s6 = Math.fround(s6 + Math.fround(x * w[q + 6]));
      s7 = Math.fround(s7 + Math.fround(x * w[q + 7]));
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s = Math.fround(s + Math.fround(X[u] * w[p[u] + j]));
    acc[ci + j] = s;
  }
}

/** L-Mul sum table (fp32 values), fp32 adder: acc = fround(acc + table[X[u] + w[p[u] + j]]). */
function rowFp32Sum(table: Float32Array, X: Int32Array, p: Int32Array, t: number, w: Int32Array, n: number, acc: Float64Array, ci: number): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const c = ci + j;
    let s0 = acc[c], s1 = acc[c + 1], s2 = acc[c + 2], s3 = acc[c + 3], s4 = acc[c + 4], s5 = acc[c + 5], s6 = acc[c + 6], s7 = acc[c + 7];
    for (let u = 0; u < t; u++) {
      const x = X[u], q = p[u] + j;
      s0 = Math.fround(s0 + table[x + w[q]]);
      s1 = Math.fround(s1 + table[x + w[q + 1]]);
      s2 = Math.fround(s2 + table[x + w[q + 2]]);
      s3 = Math.fround(s3 + table[x + w[q + 3]]);
      s4 = Math.fround(s4 + table[x + w[q + 4]]);
      s5 = Math.fround(s5 + table[x + w[q + 5]]);
      s6 = Math.fround(s6 + table[x + w[q + 6]]);
      s7 = Math.fround(s7 + table[x + w[q + 7]]);
    }
    acc[c] = s0;
    acc[c + 1] = s1;
    acc[c + 2] = s2;
    acc[c + 3] = s3;
    acc[c + 4] = s4;
    acc[c + 5] = s5;
    acc[c + 6] = s6;
    acc[c + 7] = s7;
  }
  for (; j < n; j++) {
    let s = acc[ci + j];
    for (let u = 0; u < t; u++) s = Math.fround(s + table[X[u] + w[p[u] + j]]);
    acc[ci + j] = s;
  }
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

/** Operand decoders of a table kernel's formats (NaN for patterns that are not values). */
export interface TableDecoders {
  readonly input: (code: number) => number;
  readonly weight: (code: number) => number;
  /** the format an exact product is rounded into (fp8 MACs), if any: for the WebAssembly rows */
  readonly product?: ProductRounding;
}

/** Operand values of a table's formats (NaN for patterns that are not values). */
function decodedOperands(shift: number, inputBits: number, dec: TableDecoders | undefined): { a: Float64Array; b: Float64Array } | undefined {
  if (!dec) return undefined;
  const a = new Float64Array(2 ** inputBits), b = new Float64Array(2 ** shift);
  for (let x = 0; x < a.length; x++) a[x] = dec.input(x);
  for (let y = 0; y < b.length; y++) b[y] = dec.weight(y);
  return { a, b };
}

/**
 * Product-table kernel. `table[(a << shift) | b]` is the value of a*b; `acc` is a plain fp32
 * adder (Math.fround after each addition) or a wrapping int32 one. With `decoders` of an exact
 * multiplier, exact rows multiply decoded values instead of looking products up (the same sums).
 */
export function tableTile(table: Float64Array, shift: number, inputBits: number, accKind: TableAcc, dot: PeKind['dot'], decoders?: TableDecoders): TileKernel {
  const codesIn = 2 ** inputBits;
  const codesW = 2 ** shift;
  // integer states are always on the integer grid
  const q = accKind === 'fp32' ? quantumOf(table) : 1;
  // fp32: partial sums below 2^24 q are fp32 values; int32: float64 sums below 2^53 are exact
  const limit = accKind === 'fp32' ? 2 ** 24 * q : 2 ** 53;
  const fp32 = accKind === 'fp32';
  const values = decodedOperands(shift, inputBits, decoders);
  const decA32 = values && inputBits <= 16 ? Float32Array.from(values.a) : undefined;
  /**
   * Integer operands (int8, int4) into the WebAssembly int32 rows: every table entry is the
   * product of the operands' integer values (|a|, |b| <= 2^15, so no int32 product overflows),
   * the adder wraps as int32's does. Activation codes that are no integer stay in TypeScript.
   */
  const intRows = ((): { a: Float32Array; b: Int32Array; bOk: Uint8Array; usable: Uint8Array } | undefined => {
    if (fp32 || !values || inputBits > 16) return undefined;
    const small = (v: number) => Number.isInteger(v) && Math.abs(v) <= 2 ** 15;
    const ai = new Int32Array(codesIn), usable = new Uint8Array(codesIn);
    const b = new Int32Array(codesW), bOk = Uint8Array.from(values.b, (v) => (small(v) ? 1 : 0));
    for (let c = 0; c < codesW; c++) if (bOk[c]) b[c] = values.b[c];
    for (let x = 0; x < codesIn; x++) {
      if (!small(values.a[x])) continue;
      for (let c = 0; c < codesW; c++) if (bOk[c] && table[(x << shift) | c] !== values.a[x] * b[c]) return undefined;
      ai[x] = values.a[x];
      usable[x] = 1;
    }
    return { a: new Float32Array(ai.buffer), b, bOk, usable };
  })();
  const list = new RowList();
  /** per weight code: its value as fp32, and 1 if that is its value (finite, an fp32 value) */
  const weights32 = values && {
    value: Float32Array.from(values.b, (v) => (Number.isFinite(v) ? v : 0)),
    ok: Uint8Array.from(values.b, (v) => (Number.isFinite(v) && Math.fround(v) === v ? 1 : 0)),
    /**
     * a one-call B's values as the rows must give them (passFp32Values): the value where ok,
     * +-Inf for an infinite one (the rows then refuse the call), NaN for anything else
     */
    checked: Float32Array.from(values.b, (v) => (Number.isFinite(v) ? (Math.fround(v) === v ? v : NaN) : v)),
  };
  /**
   * Per activation code, 1 where it may enter the WebAssembly rows: undefined (kernel off or no
   * decoders) or null unless the rows' product (the binary32 product, rounded into
   * `decoders.product` if given) is the table's, bit for bit, for every pair of finite operand
   * values. Measured once, on every pair, by running the kernel itself: the rows are only ever
   * given products it was seen to compute right.
   */
  let codesOk: Uint8Array | null | undefined;
  const wasmCodes = (): Uint8Array | undefined => {
    if (codesOk !== undefined || !values || !decA32) return codesOk ?? undefined;
    const wasm = f32Rows();
    if (!wasm) return undefined;
    // every activation code (a row, k = 1) against every weight code (a column), from -0
    // (-0 + p is p for every p, -0 included, and a -0 state makes the rows add zero products)
    const finite = (v: number) => Number.isFinite(v) && Math.fround(v) === v;
    const usable = Uint8Array.from(values.a, (v) => (finite(v) ? 1 : 0));
    const w = Float32Array.from(values.b, (v) => (finite(v) ? v : 0));
    const a = Uint32Array.from({ length: codesIn }, (_, x) => x);
    const acc = new Float64Array(codesIn * codesW).fill(-0);
    wasm.pass({ a, m: codesIn, k: 1, k0: 0, ku: 1, n: codesW, acc, w, dec: decA32, usable, keepZeros: true, rounding: decoders?.product });
    // a multiplier the rows do not describe (L-Mul on fp8) agrees on a few pairs only: off
    const agrees = (got: Float64Array, width: number, col: (lane: number) => number, from: number): boolean => {
      for (let x = 0; x < codesIn; x++) {
        if (!usable[x]) continue;
        for (let j = 0; j < width; j++) {
          const c = col(j);
          if (c >= 0 && finite(values.b[c]) && !Object.is(got[x * width + j], from + table[(x << shift) | c])) return false;
        }
      }
      return true;
    };
    const off = (): undefined => {
      codesOk = null;
      return undefined;
    };
    if (!agrees(acc, codesW, (j) => j, -0)) return off();
    const product = decoders?.product;
    if (product) {
      // rounded products from +0 states take the rows' other two modes (no sign steps; and no
      // clamp where no product of the row can exceed the format's largest value): every pair
      // through the first (16 huge weights beside the codes make every row clamp), and every
      // pair through the second where it may go there (16 lanes of one weight code per pass)
      const lanes = 16, wide = codesW + lanes;
      const big = Float32Array.from({ length: wide }, (_, j) => (j < codesW ? w[j] : 2 ** 127));
      const clamped = new Float64Array(codesIn * wide);
      wasm.pass({ a, m: codesIn, k: 1, k0: 0, ku: 1, n: wide, acc: clamped, w: big, dec: decA32, usable, keepZeros: false, rounding: product });
      if (!agrees(clamped, wide, (j) => (j < codesW ? j : -1), 0)) return off();
      for (let c = 0; c < codesW; c++) {
        if (!finite(values.b[c])) continue;
        const one = new Float64Array(codesIn * lanes);
        wasm.pass({ a, m: codesIn, k: 1, k0: 0, ku: 1, n: lanes, acc: one, w: new Float32Array(lanes).fill(w[c]), dec: decA32, usable, keepZeros: false, rounding: product });
        if (!agrees(one, lanes, () => c, 0)) return off();
      }
    }
    return (codesOk = usable);
  };
  /** The TypeScript loops' tables for a tile: per activation code its largest product and whether its products are the decoded values'. */
  const prepareTables = (codes: Uint32Array, k: number, n: number, w32?: Float32Array, usable?: Uint8Array): Prepared => {
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
    // an exact multiplier's products are the float64 products of the operands' values, but
    // for those its product format cannot hold (a tiny product underflows): per activation
    // code, whether every product with this tile's weights is the decoded values' product
    let decoded: Float64Array | undefined, exactWith: Uint8Array | undefined;
    if (values) {
      decoded = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) decoded[i] = values.b[codes[i]];
      if (decoded.every(Number.isFinite)) {
        exactWith = new Uint8Array(codesIn);
        for (let x = 0; x < codesIn; x++) {
          const va = values.a[x];
          let ok = Number.isFinite(va);
          for (let c = 0; c < codesW && ok; c++) {
            if (present[c] && !Object.is(table[(x << shift) | c], va * values.b[c])) ok = false;
          }
          exactWith[x] = ok ? 1 : 0;
        }
      } else decoded = undefined; // a weight that is no finite value: products from the table
    }
    return new Prepared(kernel, k, n, codes, codes, rowMax, false, decoded, exactWith, w32, usable);
  };
  /** A prepared tile with the TypeScript loops' tables (built the first time a row needs them). */
  const withTables = (w: Prepared): Prepared => {
    if (w.rowMax) return w;
    let t = tablesOf.get(w);
    if (!t) tablesOf.set(w, (t = prepareTables(w.codes, w.k, w.n, w.w32, w.usable)));
    return t;
  };
  const tablesOf = new WeakMap<Prepared, Prepared>();
  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = rowMajorCodes(b, bRow, bCol, k, n);
      // integer operands into the wrapping int32 rows: every weight an integer of the table
      if (intRows && f32Rows()) {
        // a loop, not Int32Array.from with a map: that one walks an iterator (an attention
        // matmul's keys and values are prepared on every call)
        const wi = new Int32Array(codes.length), { b: values, bOk } = intRows;
        let ok = true;
        for (let i = 0; i < codes.length && ok; i++) {
          ok = bOk[codes[i]] === 1;
          wi[i] = values[codes[i]];
        }
        if (ok) return new Prepared(kernel, k, n, codes, codes, undefined, false, undefined, undefined, new Float32Array(wi.buffer), intRows.usable);
      }
      // the WebAssembly rows: every weight a finite fp32 value, every pair computed right there
      const valid = fp32 && weights32 ? wasmCodes() : undefined;
      if (valid && weights32) {
        let w32: Float32Array | undefined = new Float32Array(codes.length);
        const { value, ok } = weights32;
        for (let i = 0; i < codes.length; i++) {
          const c = codes[i];
          if (ok[c] === 0) {
            w32 = undefined;
            break;
          }
          w32[i] = value[c];
        }
        // the TypeScript loops' per-code tables wait for a row the rows cannot take
        if (w32) return new Prepared(kernel, k, n, codes, codes, undefined, false, undefined, undefined, w32, valid);
      }
      return prepareTables(codes, k, n);
    },
    // fp32 states only (the int32 rows keep theirs)
    ...(!intRows && {
      passFp32(a, prepared, m, out, cols) {
        const w0 = preparedFor(kernel, prepared);
        return !!w0.w32 && !!decA32 && allRan(passF32(a, m, w0.k, 0, w0.k, w0.n, NO_STATES, w0.w32, decA32, w0.usable, false, decoders?.product, undefined, false, true, cols, out));
      },
      passFp32Values(a, aRows, b, m, out, cols, bias) {
        // the operands' values as this kernel decodes their codes, where the rows give exactly
        // those (the rows' products were checked on every pair of such values: wasmCodes)
        const wasm = f32Rows(), av = decA32 && valuesForm(aRows, decA32);
        if (!wasm || !av || !wasmCodes() || !weights32) return false;
        let w: Float32Array, k: number, n: number, wNarrow: NarrowFormat | undefined;
        if ('rows' in b) {
          // a weight code that is no finite fp32 value has a non-finite value here, which the rows refuse
          wNarrow = valuesForm(b.rows, weights32.checked) ?? undefined;
          if (!wNarrow) return false;
          ({ values: w, k, n } = b);
        } else {
          const w0 = preparedFor(kernel, b);
          if (!w0.w32) return false;
          ({ w32: w, k, n } = w0);
        }
        return allRan(wasm.pass({ a, aNarrow: av, m, k, k0: 0, ku: k, n, acc: NO_STATES, w, wNarrow, dec: 'bits', keepZeros: false, rounding: decoders?.product, fresh: true, cols, out32: out, bias }));
      },
    }),
    pass(a, prepared, m, k0, ku, acc, fresh, cols) {
      const w0 = preparedFor(kernel, prepared);
      const done = !w0.w32 ? undefined : intRows
        ? passF32(a, m, w0.k, k0, ku, w0.n, acc, w0.w32, intRows.a, intRows.usable, false, undefined, undefined, true, fresh, cols)
        : decA32 ? passF32(a, m, w0.k, k0, ku, w0.n, acc, w0.w32, decA32, w0.usable, false, decoders?.product, undefined, false, fresh, cols) : undefined;
      if (done && done.every((d) => d === 1)) return;
      const w = withTables(w0);
      const { k, n, codes, decoded, exactWith } = w;
      const rowMax = w.rowMax as Float64Array;
      list.fit(ku);
      const { p: ps, i: base, v: vals } = list;
      const decA = values?.a;
      for (let i = 0; i < m; i++) {
        if (done && done[i] === 1) continue;
        const ci = i * n, ai = i * k;
        let bound = 0, onGrid = true;
        for (let j = ci; j < ci + n; j++) {
          const c = acc[j];
          if (Math.abs(c) > bound) bound = Math.abs(c);
          if (c !== 0 && c % q !== 0) onGrid = false; // NaN and Inf are on no grid
        }
        for (let p = k0; p < k0 + ku; p++) bound += rowMax[a[ai + p]];
        // a zero product adds nothing to a state that is not -0 (integer states: never)
        const skip = !fp32 || rowHasNoNegZero(acc, ci, n);
        let t = 0, decodable = exactWith !== undefined;
        for (let p = k0; p < k0 + ku; p++) {
          const code = a[ai + p];
          if (skip && rowMax[code] === 0) continue;
          ps[t] = p * n;
          base[t] = code << shift;
          if (exactWith) {
            if (exactWith[code] === 0) decodable = false;
            vals[t] = (decA as Float64Array)[code];
          }
          t++;
        }
        if (onGrid && bound < limit) {
          // exact: float64 sums equal the adder's (fp32 rounding is the identity on them),
          // whatever the order; an exact multiplier's products are the decoded values' products
          if (decoded && decodable) rowExactDecoded(vals, ps, t, decoded, n, acc, ci);
          else rowExactTable(table, base, ps, t, codes, n, acc, ci);
          if (!fp32) for (let j = ci; j < ci + n; j++) acc[j] |= 0;
        } else if (fp32) rowFp32Table(table, base, ps, t, codes, n, acc, ci);
        else rowInt32Table(table, base, ps, t, codes, n, acc, ci);
      }
    },
  };
  return kernel;
}

/**
 * Decoded-float kernel: float multiplier with the exact product rounded once into fp32
 * (Math.fround), plain fp32 adder. `decA` / `decB` give the operands' values.
 */
export function decodedTile(
  decA: (code: number) => number, decB: (code: number) => number, dot: PeKind['dot'],
  /** activation values for the WebAssembly rows: a table per code, or 'bits' (fp32 operands) */
  wasmDecode?: Float32Array | 'bits',
): TileKernel {
  const list = new RowList();
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
      // with a non-finite weight, 0 * w is NaN: zero activations are not skipped (`special`);
      // fp32, bf16 and fp16 values are all fp32 values, so the WebAssembly rows take every row
      // (a decoder with values outside fp32 keeps the TypeScript loops)
      const w32 = values.every((v) => v !== v || Math.fround(v) === v) ? Float32Array.from(values) : undefined;
      return new Prepared(kernel, k, n, codes, values, undefined, !finite, undefined, undefined, w32);
    },
    passFp32(a, prepared, m, out, cols) {
      const w = preparedFor(kernel, prepared);
      return !!w.w32 && !!wasmDecode && allRan(passF32(a, m, w.k, 0, w.k, w.n, NO_STATES, w.w32, wasmDecode, undefined, w.special, undefined, undefined, false, true, cols, out));
    },
    pass(a, prepared, m, k0, ku, acc, fresh, cols) {
      const w = preparedFor(kernel, prepared);
      const { k, n, w32 } = w;
      const values = w.w as Float64Array;
      list.fit(ku);
      const { p: ps, v: vals } = list;
      const done = w32 && wasmDecode ? passF32(a, m, k, k0, ku, n, acc, w32, wasmDecode, undefined, w.special, undefined, undefined, false, fresh, cols) : undefined;
      for (let i = 0; i < m; i++) {
        if (done && done[i] === 1) continue;
        const ci = i * n, ai = i * k;
        const skip = !w.special && rowHasNoNegZero(acc, ci, n);
        let t = 0;
        for (let p = k0; p < k0 + ku; p++) {
          const av = decA(a[ai + p]);
          if (skip && av === 0) continue;
          ps[t] = p * n;
          vals[t++] = av;
        }
        rowFp32Decoded(vals, ps, t, values, n, acc, ci);
      }
    },
  };
  return kernel;
}

/** Weight codes b(p, j) row-major at p * n + j, from any layout b[p * bRow + j * bCol]. */
function rowMajorCodes(b: ArrayLike<number>, bRow: number, bCol: number, k: number, n: number): Uint32Array {
  if (bRow === n && bCol === 1 && b instanceof Uint32Array) return b.slice(0, k * n);
  const codes = new Uint32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) codes[p * n + j] = b[p * bRow + j * bCol];
  return codes;
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
  const wasm = lmulWasmModel(f, (e) => [as[e], bs[e], both[index[e]]], index.length);
  const list = new RowList();
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
      if (!wasm || special) return new Prepared(kernel, k, n, codes, offs, undefined, special);
      // the WebAssembly rows' weight halves W and signs V (see lmulWasmModel)
      const halves = new Int32Array(codes.length), signs = new Float32Array(codes.length);
      for (let i = 0; i < codes.length; i++) {
        halves[i] = wasm.weightHalf(codes[i]);
        signs[i] = wasm.sign(codes[i]);
      }
      const lm: LmulRows = { ...wasm.rows, v: signs };
      return new Prepared(kernel, k, n, codes, offs, undefined, special, undefined, undefined, new Float32Array(halves.buffer), undefined, lm);
    },
    passFp32(a, prepared, m, out, cols) {
      const w = preparedFor(kernel, prepared);
      return !!wasm && !!w.w32 && !!w.lmul && allRan(passF32(a, m, w.k, 0, w.k, w.n, NO_STATES, w.w32, wasm.x, wasm.usable, false, undefined, w.lmul, false, true, cols, out));
    },
    pass(a, prepared, m, k0, ku, acc, fresh, cols) {
      const w = preparedFor(kernel, prepared);
      const { k, n, codes } = w;
      const offs = w.w as Int32Array;
      list.fit(ku);
      const { p: ps, i: off } = list;
      const done = wasm && w.w32 && w.lmul ? passF32(a, m, k, k0, ku, n, acc, w.w32, wasm.x, wasm.usable, false, undefined, w.lmul, false, fresh, cols) : undefined;
      for (let i = 0; i < m; i++) {
        if (done && done[i] === 1) continue;
        const ci = i * n, ai = i * k;
        const skip = rowHasNoNegZero(acc, ci, n);
        let t = 0, generic = w.special;
        for (let p = k0; p < k0 + ku && !generic; p++) {
          const code = a[ai + p];
          const ma = code & (M - 1);
          if (ma > maxMag || (ma < unit && !skip)) generic = true;
          else if (ma >= unit) {
            ps[t] = p * n;
            off[t++] = ma + (code >= S ? 6 * M : 0);
          } // else: +-0 products with every (finite) weight
        }
        if (!generic) {
          rowFp32Sum(both, off, ps, t, offs, n, acc, ci);
          continue;
        }
        // a special operand in the row: product by product, each through the table or the PE
        for (let p = k0; p < k0 + ku; p++) {
          const code = a[ai + p];
          const ma = code & (M - 1);
          const row = p * n;
          if (w.special || ma > maxMag || (ma < unit && !skip)) {
            genericRow(scalar, code, codes, row, acc, ci, n);
            continue;
          }
          if (ma < unit) continue;
          const o = ma + (code >= S ? 6 * M : 0);
          for (let j = 0; j < n; j++) acc[ci + j] = Math.fround(acc[ci + j] + both[o + offs[row + j]]);
        }
      }
    },
  };
  return kernel;
}

/**
 * The WebAssembly rows' model of an L-Mul PE on a float format of at most 16 bits with at
 * most fp32's exponent field (bf16, e8m3, e8m4, e4m3): a normal code c's fp32 bit pattern is
 * B(c) = (c << s) + E, s = 23 - m, E re-biasing the exponent (0 for bias 127), so the adder's
 * result r = |a| + |b| - K (lmul.ts) has the fp32 bits (|a| << s) + (|b| << s) - (K << s) + E.
 * The kernel adds X = |a| << s and W = (|b| << s) - (K << s) + E + off as 32-bit integers, off
 * lifting the smallest sum to 0 so that the unsigned result T never wraps; T below
 * B(unit) + off underflows to zero, above B(maxFinite) + off saturates, else T - off
 * is the magnitude; multiplying by the operands' signs (+-1, +-0 for a zero or subnormal
 * operand) signs it. Returned only if it gives every product of the PE's sum table bit for
 * bit (`entries(e)`: an operand pair and the PE's product), else undefined.
 */
function lmulWasmModel(f: FloatFormat, entries: (e: number) => [number, number, number], count: number) {
  if (f.expBits > 8 || f.manBits > 23 || f.bits > 16 || f.specials === 'fnuz') return undefined;
  const s = 23 - f.manBits, unit = 2 ** f.manBits, maxMag = f.maxFiniteCode, S = f.signBit;
  // a normal code c's fp32 bits: (c << s) + E, E re-biasing the exponent field (0 for bias 127)
  const E = (127 - f.bias) * 2 ** 23;
  const bits = (c: number) => c * 2 ** s + E;
  const kp = lmulConstant(f) * 2 ** s;
  const minR = 2 * unit * 2 ** s - kp + E;
  const off = minR < 0 ? -minR : 0;
  if (2 * maxMag * 2 ** s - kp + E + off >= 2 ** 32) return undefined;
  const rows = { under: bits(unit) + off, over: bits(maxMag) + off, off, maxBits: bits(maxMag) };
  const codes = 2 ** f.bits;
  const x = new Int32Array(codes), sign = new Float32Array(codes), usable = new Uint8Array(codes);
  for (let c = 0; c < codes; c++) {
    const mag = c & (S - 1), neg = c >= S;
    usable[c] = mag > maxMag ? 0 : 1; // Inf, NaN: the TypeScript loops
    x[c] = mag >= unit ? mag * 2 ** s : 0;
    sign[c] = mag >= unit ? (neg ? -1 : 1) : neg ? -0 : 0;
  }
  const weightHalf = (c: number) => ((c & (S - 1)) * 2 ** s + off - kp + E) | 0;
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  const product = (a: number, b: number) => {
    const t = (x[a] + weightHalf(b)) >>> 0;
    u32[0] = t < rows.under ? 0 : t > rows.over ? rows.maxBits : t - off;
    return Math.fround(Math.fround(f32[0] * sign[b]) * sign[a]);
  };
  for (let e = 0; e < count; e++) {
    const [a, b, want] = entries(e);
    if (!Object.is(product(a, b), want) && want === want) return undefined;
  }
  return { x: new Float32Array(x.buffer), usable, sign: (c: number) => sign[c], weightHalf, rows: { ...rows, sign } };
}
