/**
 * The rows of f32-rows.wat: a WebAssembly SIMD kernel that gives, for each output, the bits of
 * the scalar loop `s = fround(s + p)` in k order (four outputs per lane group, each lane its own
 * sequential sum), p the binary32 product, that product rounded into an fp8 format, or an L-Mul
 * adder's result; and wrapping int32 sums of integer products. Tile kernels hand it the rows it
 * was seen to compute right; the TypeScript loops stay the reference path
 * (`setWasmKernels(false)`, BITWEAVE_WASM=0), and tests hold the two equal bit for bit.
 */
import { wasmBase64 } from './f32-rows.wasm.ts';
import { lazyKernel } from './switch.ts';
import type { NarrowFormat } from './narrow-quantize.ts';

export { setWasmKernels } from './switch.ts';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly pass: (
    m: number, k: number, k0: number, ku: number, n: number, a: number, dec: number, usable: number,
    w: number, acc: number, scratch: number, flags: number, list: number, keepZeros: number,
    round: number, shift: number, minNormal: number, max: number,
    v: number, dec2: number, lu: number, lo: number, loff: number, lmax: number, wmax: number, fresh: number,
    cols: number, out32: number, bias: number, kmax: number, tiny: number, splits: number,
  ) => number;
  readonly absMax: (p: number, count: number) => number;
  readonly narrow: (n: number, x: number, o: number, mbits: number, bias: number, minNormal: number, max: number,
    sat: number, inf: number, nan: number, signShift: number, values: number) => void;
}

/**
 * L-Mul rows (f32-rows.wat, mode 2): the adder's result formed from two integer halves and
 * checked against the PE's products by the caller (tile-kernels.ts lmulTile).
 */
export interface LmulRows {
  /** per activation code: its sign as +-1, or +-0 for a zero or subnormal code */
  readonly sign: Float32Array;
  /** all k x n weights' signs (+-1, +-0 for zero or subnormal weights), resident like `w` */
  readonly v: Float32Array;
  /** T = X + W below this (unsigned) underflows to zero */
  readonly under: number;
  /** T above this (unsigned) saturates */
  readonly over: number;
  /** T - off is the product's magnitude as fp32 bits */
  readonly off: number;
  /** the saturated magnitude's fp32 bits */
  readonly maxBits: number;
}

/** One tile-kernel pass: A's bit patterns against weight values, float64 states updated in place. */
export interface PassArgs {
  /** m x k bit patterns, row-major; with `aNarrow`, m x k fp32 values */
  readonly a: ArrayLike<number>;
  /**
   * A holds fp32 activations, quantized where the rows read them into this format's values (a
   * description of the `values` form that its tables were seen to give); `dec` is then 'bits'
   */
  readonly aNarrow?: NarrowFormat;
  /**
   * `w` holds a B read by this call only as fp32 values, quantized the same way where the rows
   * read it (the pass gives up, undefined, when one is no finite value)
   */
  readonly wNarrow?: NarrowFormat;
  readonly m: number;
  readonly k: number;
  readonly k0: number;
  readonly ku: number;
  readonly n: number;
  /**
   * All k x n weights, row-major, as prepared once for the tile: they stay resident in the
   * module's memory between passes (keyed by this array, which must not change afterwards)
   */
  readonly w: Float32Array;
  /** m x n accumulator states */
  readonly acc: Float64Array;
  /** activation value per bit pattern (at most 2^16), or 'bits': the patterns are fp32 */
  readonly dec: Float32Array | 'bits';
  /** per bit pattern, 1 if its row may run here; undefined: every pattern (kept resident like `dec`: not changed afterwards) */
  readonly usable?: Uint8Array;
  /** add zero products too (a weight that is no finite value) */
  readonly keepZeros: boolean;
  readonly rounding?: ProductRounding;
  /** L-Mul rows: `dec` holds X per code and `w` the integer halves W (as fp32 bit patterns) */
  readonly lmul?: LmulRows;
  /** integer rows: `dec` and `w` hold int32 values (as fp32 bit patterns), the states are int32, the adder wraps */
  readonly int?: boolean;
  /** every state is +0: the rows start from zeros without copying or reading `acc` */
  readonly fresh?: boolean;
  /** with `fresh`: per row i, only outputs j < cols[i] need computing (the rest stay +0) */
  readonly cols?: Int32Array;
  /**
   * with `fresh`: the m x n results as fp32 values go here (when every row runs: the flags say),
   * not into `acc` (which is not written)
   */
  readonly out32?: Float32Array;
  /** with `out32`: n values added to each row of results as they are written, each sum a binary32 addition */
  readonly bias?: Float32Array;
}

/**
 * A narrower float format each product is rounded into (round to nearest even, saturating at
 * its largest finite value) before the fp32 adder: the fp8 MACs' product format.
 */
export interface ProductRounding {
  readonly manBits: number;
  readonly minNormal: number;
  readonly maxFinite: number;
}

export interface F32Rows {
  /**
   * A tile-kernel pass (f32-rows.wat `pass`): runs the rows it can take and returns per row 1
   * (run, states updated) or 0 (left unchanged for the caller). The view is valid until the
   * next call.
   */
  pass(args: PassArgs): Uint8Array | undefined;
  /**
   * dst[i] = the code of src[i] in `f`'s format (or its value's fp32 bits, `f.values`): the
   * `narrow` rows over a copy in the module's memory; false (nothing written) where it has no room
   */
  narrow(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean;
  /** rows run so far with a non-zero flag (benches and tests read it to see the kernel ran) */
  readonly rowsRun: number;
  /** passes so far whose lists left out activations with every product rounding to zero (tests read it) */
  readonly tinyChecked: number;
  /** rows so far whose small products were summed apart, first (f32-rows.wat mode 6; tests read it) */
  readonly splitRows: number;
  /** bytes of operands resident in the arena (tests read it to see that one-call operands do not pile up) */
  readonly residentBytes: number;
}

const align = (b: number) => (b + 15) & ~15;
/**
 * The shares of a weight array's activations, on its first call, from which its rows' lists
 * leave out those whose products all round to zero (TINY_SHARE) and sum those whose products all
 * stay in the format's first two binades apart (SPLIT_SHARE, counting both): below them the
 * checks per activation cost more than they save (fp8-e5m2's first two binades end at 2^-13)
 */
const TINY_SHARE = 0.04, SPLIT_SHARE = 0.2;
/** Resident tables at the bottom of memory: two decode tables (2^16 f32 each) and a usable table (2^16 bytes). */
const DEC = 0, DEC2 = 4 * 65536, USABLE = 8 * 65536, FREE = USABLE + 65536;
/** Resident weights above the tables, up to this many bytes before the arena starts over. */
const ARENA_BYTES = 2 ** 28;
/** The most memory one call may use (a 32-bit address space; a copy of A beside the caller's). */
const MAX_BYTES = 2 ** 30;

class Kernel implements F32Rows {
  private buffer: ArrayBuffer;
  rowsRun = 0;
  tinyChecked = 0;
  splitRows = 0;
  constructor(private readonly ex: Exports) {
    this.buffer = ex.memory.buffer;
  }
  get residentBytes(): number {
    return this.arenaEnd - FREE;
  }
  private reserve(need: number): void {
    const mem = this.ex.memory;
    // grown by at least its size so far (up to MAX_BYTES), not by the pages one call needs: each
    // grow replaces the memory's ArrayBuffer, and a language model's window, whose attention
    // operands land in the arena call after call, grew it a few pages at a time, which V8 met
    // with a full collection every ~45 ms (helper threads at a third of a core; session 7).
    // Pages grown but never written take no physical memory.
    const have = mem.buffer.byteLength;
    if (need > have) mem.grow(Math.max(Math.ceil((need - have) / 65536), Math.min(Math.ceil(have / 65536), (MAX_BYTES - have) / 65536)));
    this.buffer = mem.buffer;
  }
  private decLoaded: Float32Array | undefined;
  /** resident weight arrays: their address, valid while their generation is the arena's */
  private resident = new WeakMap<Float32Array, { gen: number; at: number }>();
  private gen = 0;
  private arenaEnd = FREE;
  /** arrays passed once so far: a second pass makes them resident */
  private seen = new WeakSet<Float32Array>();
  /**
   * The address of a prepared weight array in memory, copied into the arena on its second pass
   * (a layer's weights, window after window); on its first, 'call': the caller copies the rows
   * it needs beside the call's other operands. An attention matmul's keys and values are a new
   * array every call: resident, they filled the arena (256 MB of written pages per thread)
   * and pushed the weights out each time it started over.
   */
  private weightsAt(w: Float32Array): number | 'call' | undefined {
    const r = this.resident.get(w);
    if (r && r.gen === this.gen) return r.at;
    if (!this.seen.has(w)) {
      this.seen.add(w);
      return 'call';
    }
    const bytes = align(4 * w.length);
    if (bytes > ARENA_BYTES) return undefined;
    if (this.arenaEnd + bytes > FREE + ARENA_BYTES) {
      this.gen++; // full: every resident array is dropped and copied again when next used
      this.arenaEnd = FREE;
    }
    const at = this.arenaEnd;
    this.reserve(at + bytes);
    new Float32Array(this.buffer, at, w.length).set(w);
    this.arenaEnd = at + bytes;
    this.resident.set(w, { gen: this.gen, at });
    return at;
  }
  /** the largest |w| of each weight array passed with a product rounding (NaN if one is NaN) */
  private wMax = new WeakMap<Float32Array, number>();
  private largest(w: Float32Array): number {
    let mx = this.wMax.get(w);
    if (mx === undefined) {
      mx = 0;
      for (let i = 0; i < w.length; i++) {
        const v = Math.abs(w[i]);
        if (!(v <= mx)) mx = v; // NaN sticks
        if (mx !== mx) break;
      }
      this.wMax.set(w, mx);
    }
    return mx;
  }
  /**
   * Per weight array passed with a product rounding and fp32 activations: each row's largest |w|
   * (NaN if one is NaN), from which a row's list leaves out the activations whose products all
   * round to zero (`tiny`) and, with `split`, sums those whose products all stay at most `small`
   * apart (f32-rows.wat `pass`, $splits); decided on the array's first call from the shares of its
   * activations so (null: neither)
   */
  private rowChecks = new WeakMap<Float32Array, { rowMax: Float32Array; split: boolean } | null>();
  private rowChecksOf(g: PassArgs, tiny: number, small: number): { rowMax: Float32Array; split: boolean } | undefined {
    const { w, n, m, k, a } = g;
    let c = this.rowChecks.get(w);
    if (c === undefined) {
      const rows = w.length / n;
      const rowMax = new Float32Array(rows);
      for (let u = 0; u < rows; u++) {
        let r = 0;
        for (let j = u * n; j < (u + 1) * n; j++) {
          const v = Math.abs(w[j]);
          if (!(v <= r)) r = v;
        }
        rowMax[u] = r;
      }
      let zero = 0, below = 0;
      for (let i = 0; i < m; i++) for (let u = 0; u < k; u++) {
        const x = Math.abs(a[i * k + u]);
        if (x === 0) continue;
        const p = Math.fround(x * rowMax[u]);
        if (p <= tiny) zero++;
        if (p <= small) below++;
      }
      const split = small > 0 && below >= SPLIT_SHARE * m * k;
      c = split || zero >= TINY_SHARE * m * k ? { rowMax, split } : null;
      this.rowChecks.set(w, c);
    }
    return c ?? undefined;
  }
  private quantize(count: number, at: number, f: NarrowFormat): void {
    this.ex.narrow(count, at, at, f.manBits, f.bias, f.minNormalBits, f.maxFinite, f.overflow, f.inf, f.nan, f.signShift, f.values ? 1 : 0);
  }
  narrow(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean {
    const n = src.length, at = this.arenaEnd;
    if (at + align(4 * n) > MAX_BYTES) return false;
    try {
      this.reserve(at + align(4 * n));
    } catch {
      return false; // no memory to grow into: the tables take it
    }
    new Float32Array(this.buffer, at, n).set(src);
    this.quantize(n, at, f);
    dst.set(new Uint32Array(this.buffer, at, n));
    return true;
  }
  private dec2Loaded: Float32Array | undefined;
  private usableLoaded: Uint8Array | undefined;
  pass(g: PassArgs): Uint8Array | undefined {
    const { m, k, k0, ku, n } = g;
    // a one-call fp32 B is copied (and quantized) every time, never kept
    let wAt = g.wNarrow ? 'call' : this.weightsAt(g.w);
    let vAt = g.lmul ? this.weightsAt(g.lmul.v) : 0;
    if (wAt === undefined || vAt === undefined) return undefined;
    // the arena started over between the two
    if (wAt !== 'call' && this.resident.get(g.w)?.gen !== this.gen) return undefined;
    const a = this.arenaEnd, acc = a + align(4 * m * k), scratch = acc + align(8 * m * n);
    const flags = scratch + align(4 * n), colsAt = flags + align(m), biasAt = colsAt + (g.cols ? align(4 * m) : 0);
    // rounded products of fp32 values and resident weights: each weight row's largest |w|
    const r = g.rounding;
    const step = r ? r.minNormal * 2 ** -r.manBits : 0, tiny = step / 2;
    // a fresh row's small products summed apart (`pass`'s $splits): where q is a normal binary32
    // number, as are the bounds derived from it, and p + M0 stays in M0's binade for |p| <= 2 minN
    // (M0 = 1.5 minN 2^(23 - manBits): at most 21 mantissa bits; a --product format may have more)
    const splittable = r && g.fresh && r.manBits <= 21 && step >= 2 ** -126 && r.minNormal <= 2 ** 100 ? 2 * r.minNormal : 0;
    const checks = r && g.aNarrow && !g.wNarrow ? this.rowChecksOf(g, tiny, splittable) : undefined;
    const rowMax = checks?.rowMax, split = checks?.split === true;
    const kmaxAt = biasAt + (g.bias ? align(4 * n) : 0);
    const list = kmaxAt + (rowMax ? align(4 * ku) : 0);
    // weights passed for the first time: their rows k0 .. k0+ku-1 after the list (two lists' room where split)
    const rows = align(4 * ku * n), wCall = align(list + (split ? 32 : 16) * ku), vCall = wCall + (wAt === 'call' ? rows : 0);
    const end = vCall + (vAt === 'call' ? rows : 0);
    if (end > MAX_BYTES) return undefined; // the TypeScript loops take a tile this large
    this.reserve(end);
    const buf = this.buffer;
    // the largest |w| the pass reads (a row's mode: rounded products of a row that cannot
    // overflow skip the clamp): of a resident array once, of one-call rows over those rows
    let wmax = NaN;
    if (wAt === 'call') {
      new Float32Array(buf, wCall, ku * n).set(g.w.subarray(k0 * n, (k0 + ku) * n));
      if (g.wNarrow) {
        this.quantize(ku * n, wCall, g.wNarrow);
        wmax = this.ex.absMax(wCall, ku * n);
        // a weight that is no finite value: the TypeScript loops (0 x w is no zero product)
        if (!(wmax < Infinity)) return undefined;
      } else if (g.rounding) wmax = this.ex.absMax(wCall, ku * n);
      wAt = wCall - 4 * k0 * n;
    } else if (g.rounding) wmax = this.largest(g.w);
    if (vAt === 'call') {
      new Float32Array(buf, vCall, ku * n).set((g.lmul as LmulRows).v.subarray(k0 * n, (k0 + ku) * n));
      vAt = vCall - 4 * k0 * n;
    }
    if (g.dec !== 'bits' && g.dec !== this.decLoaded) {
      if (g.dec.length > 65536) throw new Error('f32 rows: a decode table of more than 2^16 entries');
      new Float32Array(buf, DEC, g.dec.length).set(g.dec);
      this.decLoaded = g.dec;
    }
    if (g.lmul && g.lmul.sign !== this.dec2Loaded) {
      new Float32Array(buf, DEC2, g.lmul.sign.length).set(g.lmul.sign);
      this.dec2Loaded = g.lmul.sign;
    }
    if (g.usable && g.usable !== this.usableLoaded) {
      new Uint8Array(buf, USABLE, g.usable.length).set(g.usable);
      this.usableLoaded = g.usable;
    }
    if (g.aNarrow) {
      if (g.dec !== 'bits' || !(g.a instanceof Float32Array)) throw new Error('f32 rows: activations to quantize are fp32 values read as bits');
      new Float32Array(buf, a, m * k).set(g.a.length === m * k ? g.a : g.a.subarray(0, m * k));
      this.quantize(m * k, a, g.aNarrow);
    } else {
      const av = new Uint32Array(buf, a, m * k);
      if (g.a instanceof Uint32Array) av.set(g.a.length === m * k ? g.a : g.a.subarray(0, m * k));
      else for (let i = 0; i < m * k; i++) av[i] = g.a[i];
    }
    if (g.cols) new Int32Array(buf, colsAt, m).set(g.cols.subarray(0, m));
    const bias = g.bias;
    if (bias && !out32Of(g)) throw new Error('f32 rows: a bias is added to fp32 results only (out32 on a first pass)');
    if (bias) new Float32Array(buf, biasAt, n).set(bias.subarray(0, n));
    if (rowMax) {
      new Float32Array(buf, kmaxAt, ku).set(rowMax.subarray(k0, k0 + ku));
      this.tinyChecked++;
    }
    const out32 = out32Of(g);
    const states = new Float64Array(buf, acc, m * n);
    if (!g.fresh) states.set(g.acc.length === m * n ? g.acc : g.acc.subarray(0, m * n));
    const l = g.lmul;
    this.splitRows += this.ex.pass(m, k, k0, ku, n, a, g.dec === 'bits' ? -1 : DEC, g.usable ? USABLE : -1, wAt + 4 * k0 * n, acc, scratch, flags, list,
      g.keepZeros ? 1 : 0, g.int ? 3 : l ? 2 : r ? 1 : 0, r ? 23 - r.manBits : 0, r ? r.minNormal : 0, r ? r.maxFinite : 0,
      vAt + 4 * k0 * n, DEC2, l ? l.under | 0 : 0, l ? l.over | 0 : 0, l ? l.off | 0 : 0, l ? l.maxBits | 0 : 0,
      wmax, g.fresh ? 1 : 0, g.cols && g.fresh ? colsAt : -1, out32 ? 1 : 0, bias ? biasAt : -1,
      rowMax ? kmaxAt : -1, tiny, split ? 1 : 0);
    const f = new Uint8Array(buf, flags, m);
    let run = 0;
    for (let i = 0; i < m; i++) run += f[i];
    this.rowsRun += run;
    if (out32) {
      if (run === m) out32.set(new Float32Array(buf, acc, m * n));
    } else g.acc.set(states); // rows left alone are unchanged in memory: the whole block goes back
    return f;
  }
}

/** Where a pass writes fp32 results: `out32`, on a GEMM's first pass only. */
const out32Of = (g: PassArgs): Float32Array | undefined => (g.out32 && g.fresh ? g.out32 : undefined);

/** The kernel, or undefined where it is turned off or WebAssembly SIMD is not available. */
export const f32Rows: () => F32Rows | undefined = lazyKernel<Exports, Kernel>(wasmBase64, (ex) => new Kernel(ex));
