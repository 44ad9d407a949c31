/**
 * The fp32 vector unit's element-wise rows in WebAssembly SIMD (vector-rows.wat): add, sub,
 * mul, div and Where over a broadcast's rows, erf, softmax, layer and RMS norm and transposes,
 * the same bits as the TypeScript loops
 * (models/ops/elementwise.ts, where.ts, norm.ts, transpose.ts, kernel-util.ts), which stay the reference path (BITWEAVE_WASM=0,
 * `setWasmKernels(false)`). Operands are copied into the module's memory and the output back
 * out: a copy is a memcpy (~5 us for 65,536 values), a TypeScript loop over as many ~2 ns each.
 */
import { lazyKernel } from '../../../sim/pe/wasm/switch.ts';
import type { BroadcastPlan } from '../kernel-util.ts';
import { wasmBase64 } from './vector-rows.wasm.ts';
import type { NarrowFormat } from '../../../sim/pe/wasm/narrow-quantize.ts';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly binary: (op: number, outer: number, len: number, ab: number, bb: number, as: number, bs: number, a: number, b: number, o: number) => void;
  readonly where: (outer: number, len: number, cb: number, xb: number, yb: number, cs: number, xs: number, ys: number, c: number, x: number, y: number, o: number) => void;
  readonly erf: (n: number, x: number, o: number, scratch: number, gelu: number, div: number, add: number, mul: number) => void;
  readonly geluNarrow: (n: number, x: number, o: number, list: number, shift: number, minNormal: number, constants: number) => number;
  readonly exp: (x: number) => number;
  readonly expRows: (n: number, x: number, o: number) => void;
  readonly softmax: (rows: number, len: number, x: number, o: number) => void;
  readonly maskScale: (rows: number, len: number, x: number, o: number, scale: number, mask: number, mrows: number, fill: number, fillIf: number) => void;
  readonly norm: (rows: number, d: number, x: number, gamma: number, beta: number, centre: number, eps: number, o: number) => void;
  readonly rows: (count: number, len: number, step: number, bases: number, x: number, o: number) => void;
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * An exported attention's scores before their softmax: x * scale, then Where(mask, ...) with a
 * scalar `fill` where the mask is not 0 (`fillIf`) or is 0, the mask's rows (of the softmax's
 * length) repeating over the scores' rows.
 */
export interface MaskedScores {
  readonly scale: number;
  readonly mask: Float32Array;
  readonly fill: number;
  readonly fillIf: boolean;
}

/** GELU's constants as an exported graph has them: ((erf(x / div) + add) * x) * mul, fp32 values. */
export interface GeluConstants {
  readonly div: number;
  readonly add: number;
  readonly mul: number;
}
const OPS: Readonly<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/** A narrow float format a reader rounds a tensor into at once, value by value (round to nearest even). */
export type ReaderRounding = Pick<NarrowFormat, 'manBits' | 'minNormalBits' | 'maxFinite'>;

/**
 * The GELU constants geluNarrow takes (those of PyTorch's erf-form export, for which
 * test/lm/gelu-narrow-all.ts runs every fp32 input through it against the exact chain).
 */
export const GELU_EXPORTED: GeluConstants = { div: Math.fround(Math.SQRT2), add: 1, mul: 0.5 };

/**
 * geluNarrow's constants, in the order vector-rows.wat reads them (offset 16 i; then 1 / div, mul
 * and the format's largest value): the erfc form's coefficients, exp's (fp32 Taylor terms,
 * ln 2 in two parts), and the allowance's.
 */
const GELU_ROWS = [1, 0.5, 0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418,
  0.37409196, 1.00002368, -80, -1.26551223, 1.44269504, 0.693145751953125, 1.428606765330187e-06, 0.0013888889,
  0.008333333, 0.041666668, 0.16666667, 2, 2 ** -14, 2 ** -23, 0, 2 ** 100];

/** Below this many outputs the TypeScript loop is as fast as a call with its copies. */
const MIN_ELEMENTS = 256;
/** The most memory one call may use. */
const MAX_BYTES = 2 ** 30;

const align = (b: number) => (b + 15) & ~15;
/** erf's float64 scratch: t and exp's argument for a chunk of 256 elements */
const ERF_SCRATCH = 4096;

export class VectorRows {
  private at = 0;
  /** calls run here so far (tests read it to see the kernel ran) */
  calls = 0;
  /** geluNarrow calls so far, and the groups of four they left to the exact chain (tests and benches read them) */
  geluNarrowCalls = 0;
  geluExactGroups = 0;
  constructor(private readonly ex: Exports) {}
  /** room for `bytes` more from the start of memory (calls reuse it: nothing stays resident) */
  private reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    const mem = this.ex.memory, have = mem.buffer.byteLength;
    try {
      if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return false; // no memory to grow into: the TypeScript loops take it
    }
    return true;
  }
  private put(x: Float32Array | Int32Array): number {
    const at = this.at;
    if (x instanceof Float32Array) new Float32Array(this.ex.memory.buffer, at, x.length).set(x);
    else new Int32Array(this.ex.memory.buffer, at, x.length).set(x);
    this.at = align(at + 4 * x.length);
    return at;
  }
  /** o = a op b over the plan's rows; false (nothing written) where the TypeScript loop is to run */
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, p: BroadcastPlan, o: Float32Array): boolean {
    if (o.length < MIN_ELEMENTS) return false;
    const [ab, bb] = p.bases;
    if (!this.reserve(align(4 * a.length) + align(4 * b.length) + 2 * align(4 * p.outer) + align(4 * o.length))) return false;
    this.at = 0;
    const pa = this.put(a), pb = this.put(b), pab = this.put(ab), pbb = this.put(bb), po = this.at;
    this.ex.binary(OPS[op], p.outer, p.len, pab, pbb, p.steps[0], p.steps[1], pa, pb, po);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /** o = c != 0 ? x : y over the plan's rows (bit patterns); false where the TypeScript loop is to run */
  where(c: Float32Array, x: Float32Array, y: Float32Array, p: BroadcastPlan, o: Float32Array): boolean {
    if (o.length < MIN_ELEMENTS) return false;
    const [cb, xb, yb] = p.bases;
    if (!this.reserve(align(4 * c.length) + align(4 * x.length) + align(4 * y.length) + 3 * align(4 * p.outer) + align(4 * o.length))) return false;
    this.at = 0;
    const pc = this.put(c), px = this.put(x), py = this.put(y), pcb = this.put(cb), pxb = this.put(xb), pyb = this.put(yb), po = this.at;
    this.ex.where(p.outer, p.len, pcb, pxb, pyb, p.steps[0], p.steps[1], p.steps[2], pc, px, py, po);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /**
   * o[i] = erf(x[i]) rounded to fp32 (kernel-util.ts erf's bits); with `gelu`, GELU's chain as
   * an exported graph computes it, each step a binary32 operation: o[i] = ((erf(x[i] / div) +
   * add) * x[i]) * mul (models/exec/fusion.ts). False where the TypeScript loop is to run.
   */
  erf(x: Float32Array, o: Float32Array, gelu?: GeluConstants): boolean {
    if (o.length < MIN_ELEMENTS || !this.reserve(2 * align(4 * x.length) + 32 + ERF_SCRATCH)) return false;
    // x, then 8 zeros (a last group's lanes past the end compute erf(0), not stored), o, scratch
    const mem = this.ex.memory.buffer, n = x.length, po = align(4 * n + 32), ps = po + align(4 * n);
    new Float32Array(mem, 0, n).set(x);
    new Float32Array(mem, 4 * n, 8).fill(0);
    this.ex.erf(n, 0, po, ps, gelu ? 1 : 0, gelu?.div ?? 1, gelu?.add ?? 0, gelu?.mul ?? 1);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /**
   * GELU (the exported constants, GELU_EXPORTED) for a reader that rounds its input into `f` at
   * once: o[i] rounds into `f` as the exact chain's value (erf above with `gelu`) does. Most
   * values come from vector-rows.wat geluNarrow in fp32 as that value in `f` (with x's sign),
   * the rest (a group of four where the fp32 figure could round either way, the last n % 4)
   * from the exact chain. False (nothing written) where the rows do not take it.
   */
  geluNarrow(x: Float32Array, o: Float32Array, f: ReaderRounding): boolean {
    const n = x.length, groups = (n >> 2) + 1;
    if (o.length < MIN_ELEMENTS || !this.reserve(2 * align(4 * n) + align(4 * groups) + 16 * GELU_ROWS.length + 48 + ERF_SCRATCH)) return false;
    const px = 0, po = align(4 * n), pl = po + align(4 * n), pc = pl + align(4 * groups);
    // (the memory does not grow during the call: reserved above)
    const mem = this.ex.memory.buffer;
    new Float32Array(mem, px, n).set(x);
    // the rows' constants, each in four lanes (a splat of a constant in a loop is rebuilt at every use)
    const constants = new Float32Array(mem, pc, 4 * GELU_ROWS.length + 12);
    [...GELU_ROWS, 1 / GELU_EXPORTED.div, GELU_EXPORTED.mul, f.maxFinite].forEach((v, i) => constants.fill(v, 4 * i, 4 * i + 4));
    const left = this.ex.geluNarrow(n, px, po, pl, 23 - f.manBits, f.minNormalBits, pc);
    o.set(new Float32Array(mem, po, n));
    if (left > 0) {
      // those groups' x (each listed by its first index) side by side, then 8 zeros (as erf
      // reads), through the exact chain
      const firsts = Int32Array.from(new Int32Array(mem, pl, left));
      const xs = new Float32Array(mem, 0, 4 * left + 8).fill(0);
      let count = 0;
      for (const first of firsts) for (let i = first; i < Math.min(n, first + 4); i++) xs[count++] = x[i];
      const pe = align(4 * count + 32), ps = pe + align(4 * count);
      this.ex.erf(count, 0, pe, ps, 1, GELU_EXPORTED.div, GELU_EXPORTED.add, GELU_EXPORTED.mul);
      const exact = new Float32Array(mem, pe, count);
      let at = 0;
      for (const first of firsts) for (let i = first; i < Math.min(n, first + 4); i++) o[i] = exact[at++];
    }
    this.calls++;
    this.geluNarrowCalls++;
    this.geluExactGroups += left;
    return true;
  }
  /**
   * softmax over `rows` contiguous rows of `len` (kernel-util.ts softmaxRow's bits on fp32), of
   * x itself or, with `masked`, of the scaled and masked scores an exported attention has
   * (models/exec/fusion.ts); false where the TypeScript loop is to run
   */
  softmax(x: Float32Array, o: Float32Array, rows: number, len: number, masked?: MaskedScores): boolean {
    const maskBytes = masked ? align(4 * masked.mask.length) : 0;
    if (o.length < MIN_ELEMENTS || !this.reserve(2 * align(4 * x.length) + maskBytes)) return false;
    this.at = 0;
    let px = this.put(x);
    const po = this.at;
    if (masked) {
      const pm = po + align(4 * o.length);
      new Float32Array(this.ex.memory.buffer, pm, masked.mask.length).set(masked.mask);
      this.ex.maskScale(rows, len, px, po, masked.scale, pm, masked.mask.length / len, masked.fill, masked.fillIf ? 1 : 0);
      px = po;
    }
    this.ex.softmax(rows, len, px, po);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /**
   * Layer norm (`centre`, beta optional) or RMS norm over `rows` contiguous rows of d
   * (models/ops/norm.ts's bits on fp32); false where the TypeScript loop is to run
   */
  norm(x: Float32Array, gamma: Float32Array, beta: Float32Array | undefined, o: Float32Array, rows: number, d: number, centre: boolean, eps: number): boolean {
    if (o.length < MIN_ELEMENTS || !this.reserve(2 * align(4 * x.length) + 2 * align(4 * d))) return false;
    this.at = 0;
    const px = this.put(x), pg = this.put(gamma.subarray(0, d)), pb = beta ? this.put(beta.subarray(0, d)) : -1, po = this.at;
    this.ex.norm(rows, d, px, pg, pb, centre ? 1 : 0, eps, po);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /**
   * o's rows of `len` elements, row r read from x at element bases[r] with a stride of `step`
   * (a transpose by output rows, bit patterns moved); false where the TypeScript loop is to run
   */
  gatherRows(x: Float32Array, bases: Int32Array, len: number, step: number, o: Float32Array): boolean {
    if (o.length < MIN_ELEMENTS || o.length !== bases.length * len) return false;
    if (!this.reserve(align(4 * x.length) + align(4 * bases.length) + align(4 * o.length))) return false;
    this.at = 0;
    const px = this.put(x), pb = this.put(bases), po = this.at;
    this.ex.rows(bases.length, len, step, pb, px, po);
    o.set(new Float32Array(this.ex.memory.buffer, po, o.length));
    this.calls++;
    return true;
  }
  /** the module's exp (fdlibm's, as V8's Math.exp): for the tests that hold the two equal */
  exp(x: number): number {
    return this.ex.exp(x);
  }
  /** o[i] = exp(x[i]) four and two lanes at a time (the erf and softmax rows' exp), for those tests too */
  expMany(x: Float64Array): Float64Array {
    if (!this.reserve(2 * align(8 * x.length))) throw new Error('vector rows: no memory for the exp check');
    const po = align(8 * x.length);
    new Float64Array(this.ex.memory.buffer, 0, x.length).set(x);
    this.ex.expRows(x.length, 0, po);
    return new Float64Array(this.ex.memory.buffer, po, x.length).slice();
  }
}

/** The kernel, or undefined where it is turned off or WebAssembly SIMD is not available. */
export const vectorRows: () => VectorRows | undefined = lazyKernel<Exports, VectorRows>(wasmBase64, (ex) => new VectorRows(ex));
