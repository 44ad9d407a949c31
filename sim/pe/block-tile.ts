/**
 * The block PEs' tile kernel (MX and NVFP4 kinds, block-pe.ts): for every output exactly the
 * bits their `dot` computes, without a table lookup and a branch per product.
 *
 * `dot` sums each block's products in the unit's fixed-point tree (block-dot.ts): integers in
 * units of the tree's LSB 2^lsbExp, every partial sum below 2^52 in magnitude (the tree is at
 * most 53 bits wide with its sign). Such a sum is exact in float64 in ANY order, so here each
 * operand is decoded once into its integer value in units of its element quantum (weights
 * once per weight tensor in `prepare`, activations once per row of a pass), and a block's sum
 * is a plain float64 dot product of its elements: the same integer, so the same bits. MXFP8
 * E5M2's tree truncates each product toward zero at its LSB (2^shift quanta): its weights are
 * decoded pre-divided by 2^shift, and the product of two decoded elements (at most 3
 * significant bits each, so exact in float64) is truncated, as the unit's product table is.
 * `blockTile` checks both identities against the unit's table for every pair of finite element
 * codes before it returns.
 *
 * Where the sums come from: for the rows whose block-start flags sit where quantizeAlongK puts
 * them (every K index that is a multiple of the block size), one float64 GEMM per run of the
 * pass (wasm/f64-gemm.wat: fp32 operands, which the decoded elements are, float64 sums) gives
 * every row's and output's block sum at once; other rows, MXFP8 E5M2 (truncated products) and
 * BITWEAVE_WASM=0 use TypeScript loops, eight outputs at a time in registers.
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
import { froundIsExactRounding } from './limited-acc.ts';
import { gemmF64Wasm } from './wasm/f64-gemm.ts';
import { wasmKernelsOn } from './wasm/switch.ts';
import { rowExactDecoded } from './tile-kernels.ts';
import type { PeKind, PreparedWeights, TileKernel } from './types.ts';

/**
 * Outputs' accumulators while blocks enter them, as `dot` keeps one: the register `s` (one
 * rounding per block, `add`), and with promotion the fp32 accumulator `full` that the
 * register is added into every `promote` products (counted in whole blocks). One state per
 * output index (`dot` uses index 0; the tile kernel one per output of a row).
 */
export class BlockAccumulator {
  full = new Float64Array(1);
  s = new Float64Array(1);
  since = new Float64Array(1);
  constructor(
    private readonly add: (state: number, value: number) => number,
    private readonly promote: number,
    /**
     * `add` is the plain fp32 register (limited-acc.ts isPlainFp32Accumulation): `row` rounds
     * inline by the register's own shortcut (froundIsExactRounding) and calls `add` only where
     * it does not apply (the LM's block GEMMs spent a quarter of their time in the calls)
     */
    private readonly fp32Nearest = false,
  ) {}

  /** room for n outputs */
  fit(n: number): void {
    if (this.s.length >= n) return;
    this.full = new Float64Array(n);
    this.s = new Float64Array(n);
    this.since = new Float64Array(n);
  }

  start(o: number, acc0: number): void {
    this.full[o] = acc0;
    this.s[o] = this.promote > 0 ? 0 : acc0;
    this.since[o] = 0;
  }

  /** a block that is not the run's last: its exact sum (LSB units) scaled, rounded in */
  enter(o: number, pend: number, mul: number, exp: number, len: number): void {
    this.s[o] = blockInto(this.add, this.s[o], pend, mul, exp);
    if (this.promote > 0) this.promoted(o, len);
  }

  /** the run's last block: the state the run leaves */
  last(o: number, pend: number, mul: number, exp: number): number {
    this.s[o] = blockInto(this.add, this.s[o], pend, mul, exp);
    return this.leave(o);
  }

  /** a run of no products */
  none(o: number): number {
    return this.promote > 0 ? Math.fround(this.full[o] + this.s[o]) : this.s[o];
  }

  /**
   * One block of each of a row's outputs o0 + j (j < n, not skipped), as `enter` (or `last`,
   * its state to acc[o0 + j]) takes it: block sum sums[so + j], scales (ma, 2^ea) of the row
   * and (colMul[j], 2^colExp[j]) of the column's weight block (`columnScales`).
   */
  row(
    o0: number, n: number, skip: Uint8Array, sums: Float64Array, so: number, colMul: Float64Array, colExp: Float64Array,
    ma: number, ea: number, len: number, last: boolean, acc: Float64Array,
  ): void {
    const s = this.s, add = this.add, promote = this.promote;
    if (promote === 0 && this.fp32Nearest) {
      // the fp32 register's addition written out (limited-acc.ts): one rounding of the float64
      // sum wherever that is the exact sum's rounding, the register's own code elsewhere
      for (let j = 0; j < n; j++) {
        if (skip[j] === 1) continue;
        const o = o0 + j;
        const v = scaleByPow2(sums[so + j] * (ma * colMul[j]), ea + colExp[j]), cur = s[o], sum = cur + v;
        const r = froundIsExactRounding(sum) ? Math.fround(sum) : add(cur, v);
        s[o] = r;
        if (last) acc[o] = r;
      }
      return;
    }
    for (let j = 0; j < n; j++) {
      if (skip[j] === 1) continue;
      const o = o0 + j;
      s[o] = blockInto(add, s[o], sums[so + j], ma * colMul[j], ea + colExp[j]);
      if (last) acc[o] = this.leave(o);
      else if (promote > 0) this.promoted(o, len);
    }
  }

  /** the register into the fp32 accumulator once `promote` products have entered it */
  private promoted(o: number, len: number): void {
    if ((this.since[o] += len) >= this.promote) {
      this.full[o] = Math.fround(this.full[o] + this.s[o]);
      this.s[o] = 0;
      this.since[o] = 0;
    }
  }

  /** the state an output leaves with after its run's last block */
  private leave(o: number): number {
    return this.promote > 0 ? (this.full[o] = Math.fround(this.full[o] + this.s[o])) : this.s[o];
  }
}

/** A block into a register: its exact sum (LSB units) times its scale multiplier and 2^exp, rounded in by `add`. */
function blockInto(add: (state: number, value: number) => number, s: number, pend: number, mul: number, exp: number): number {
  return add(s, scaleByPow2(pend * mul, exp));
}

class BlockPrepared implements PreparedWeights {
  constructor(
    readonly kernel: TileKernel,
    readonly k: number,
    readonly n: number,
    /** the weight patterns, column-major (output j's at j * k): `dot`'s operand for special columns */
    readonly codes: Uint32Array,
    /** decoded elements, row-major (weight (p, j) at p * n + j): integers in quanta (E5M2: divided by 2^shift) */
    readonly values: Float64Array,
    /** the same as fp32 (every one an fp32 value), for the WebAssembly GEMM; undefined when not */
    readonly values32: Float32Array | undefined,
    /** scale code of every weight, row-major */
    readonly scales: Uint8Array,
    /** per column: 1 if it holds a NaN or Inf element or a NaN scale (`dot` takes its outputs) */
    readonly special: Uint8Array,
  ) {}
}

/**
 * One run's sums for every output of a row with each product truncated toward zero (MXFP8
 * E5M2's tree; w pre-divided by 2^shift): out[j] = sum over u < len of trunc(x[x0 + u] *
 * w[wo + u * n + j]), eight outputs at a time in registers. Exact in any order (integers,
 * every partial sum below 2^53). The other kinds' runs go through tile-kernels.ts's
 * rowExactDecoded, the same loop without the truncation.
 */
function runSumsTruncated(x: Float64Array, x0: number, len: number, w: Float64Array, wo: number, n: number, out: Float64Array): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let u = 0, q = wo + j; u < len; u++, q += n) {
      const v = x[x0 + u];
      s0 += Math.trunc(v * w[q]);
      s1 += Math.trunc(v * w[q + 1]);
      s2 += Math.trunc(v * w[q + 2]);
      s3 += Math.trunc(v * w[q + 3]);
      s4 += Math.trunc(v * w[q + 4]);
      s5 += Math.trunc(v * w[q + 5]);
      s6 += Math.trunc(v * w[q + 6]);
      s7 += Math.trunc(v * w[q + 7]);
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
    out[j + 4] = s4;
    out[j + 5] = s5;
    out[j + 6] = s6;
    out[j + 7] = s7;
  }
  for (; j < n; j++) {
    let s = 0;
    for (let u = 0, q = wo + j; u < len; u++, q += n) s += Math.trunc(x[x0 + u] * w[q]);
    out[j] = s;
  }
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
  add: (state: number, value: number) => number, promote: number, dot: PeKind['dot'], fp32Nearest = false,
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
  // the WebAssembly GEMM takes fp32 operands and sums in float64 (any order: exact here), so
  // it can form the runs' sums when every element is an fp32 value and no product truncates
  const f32Exact = (t: Float64Array) => t.every((v) => !Number.isFinite(v) || Math.fround(v) === v);
  const wasmSums = !truncates && f32Exact(intA) && f32Exact(intB);
  const st = new BlockAccumulator(add, promote, fp32Nearest);
  // scratch: one row's decoded elements, run starts and A scale parts, sums; the pass's rows for the GEMM
  let rowValues = new Float64Array(64), starts = new Int32Array(65), runExp = new Float64Array(64), runMul = new Float64Array(64);
  let pends = new Float64Array(64), listX = new Float64Array(64), listP = new Int32Array(64);
  /** out[j] = the run's sum for output j (row values x[x0 ..], weights' rows from wo), n outputs */
  const runSums = (x: Float64Array, x0: number, len: number, w: Float64Array, wo: number, n: number, out: Float64Array): void => {
    if (truncates) return runSumsTruncated(x, x0, len, w, wo, n, out);
    if (listX.length < len) {
      listX = new Float64Array(len);
      listP = new Int32Array(len);
    }
    // the run's non-zero elements (a zero adds nothing to an exact integer sum)
    let t = 0;
    for (let u = 0; u < len; u++) {
      if (x[x0 + u] === 0) continue;
      listX[t] = x[x0 + u];
      listP[t++] = wo + u * n;
    }
    out.fill(0, 0, n);
    rowExactDecoded(listX, listP, t, w, n, out, 0);
  };
  let grouped = new Uint8Array(16), a32 = new Float32Array(1024), run32 = new Float32Array(1024);
  let groupExp = new Float64Array(64), groupMul = new Float64Array(64);
  let colMul = new Float64Array(64), colExp = new Float64Array(64);
  /** colMul[j], colExp[j]: the multiplier and exponent of the scale code scales[wo + j] (a run's weight blocks) */
  const columnScales = (scales: Uint8Array, wo: number, n: number, mulB: Float64Array, expB: Float64Array): void => {
    if (colMul.length < n) {
      colMul = new Float64Array(n);
      colExp = new Float64Array(n);
    }
    for (let j = 0; j < n; j++) {
      const c = scales[wo + j];
      colMul[j] = mulB[c];
      colExp[j] = expB[c];
    }
  };

  const kernel: TileKernel = {
    dot,
    prepare(b, bRow, bCol, k, n) {
      const codes = new Uint32Array(k * n), values = new Float64Array(k * n);
      const scales = new Uint8Array(k * n), special = new Uint8Array(n);
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          const y = b[p * bRow + j * bCol], q = p * n + j;
          const v = intB[y & bMask], c = (y >>> bShift) & 0xff;
          codes[j * k + p] = y;
          values[q] = v;
          scales[q] = c;
          if (!Number.isFinite(v) || Number.isNaN(mulB[c])) special[j] = 1;
        }
      }
      return new BlockPrepared(kernel, k, n, codes, values, wasmSums ? Float32Array.from(values) : undefined, scales, special);
    },
    pass(a, w, m, k0, ku, acc) {
      if (!(w instanceof BlockPrepared) || w.kernel !== kernel) throw new Error('block tile kernel: weights prepared by another kernel');
      const { k, n, codes, values, values32, scales, special } = w;
      if (rowValues.length < ku) {
        rowValues = new Float64Array(ku);
        starts = new Int32Array(ku + 1);
        runExp = new Float64Array(ku);
        runMul = new Float64Array(ku);
      }
      if (pends.length < n) pends = new Float64Array(n);
      st.fit(m * n);
      // the runs of a row whose block-start flags sit where quantizeAlongK puts them (K
      // indices that are multiples of the block size): one GEMM per run takes all such rows
      const regularRuns = ku === 0 ? 0 : Math.ceil((k0 + ku) / kb) - Math.floor(k0 / kb);
      const gemm = values32 !== undefined && wasmKernelsOn() && regularRuns > 0;
      if (gemm) {
        if (grouped.length < m) grouped = new Uint8Array(m);
        if (a32.length < m * ku) a32 = new Float32Array(m * ku);
        if (groupExp.length < m * regularRuns) {
          groupExp = new Float64Array(m * regularRuns);
          groupMul = new Float64Array(m * regularRuns);
        }
      }
      let inGroup = 0;
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k + k0;
        // the row's runs as `dot` cuts them, its elements decoded
        let runs = 0, fast = true, regular = true;
        for (let p = 0; p < ku; p++) {
          const x = a[ai + p];
          const flagged = x >= aStart;
          if (p > 0 && flagged !== ((k0 + p) % kb === 0)) regular = false;
          if (p === 0 || flagged) {
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
          if (fast && special[j] === 0) st.start(ci + j, acc[ci + j]);
          else acc[ci + j] = dot(a, ai, 1, codes, j * k + k0, 1, ku, acc[ci + j]);
        }
        if (gemm) {
          grouped[i] = fast && regular ? 1 : 0;
          if (grouped[i] === 1) {
            // this row's sums come from the GEMMs below
            inGroup++;
            for (let p = 0; p < ku; p++) a32[i * ku + p] = rowValues[p];
            for (let r = 0; r < runs; r++) {
              groupExp[i * regularRuns + r] = runExp[r];
              groupMul[i * regularRuns + r] = runMul[r];
            }
            continue;
          }
          a32.fill(0, i * ku, (i + 1) * ku); // zero activations: the GEMM skips them
        }
        if (!fast) continue;
        if (runs === 0) {
          for (let j = 0; j < n; j++) if (special[j] === 0) acc[ci + j] = st.none(ci + j);
          continue;
        }
        for (let r = 0; r < runs; r++) {
          const p0 = starts[r], len = starts[r + 1] - p0, wo = (k0 + p0) * n;
          runSums(rowValues, p0, len, values, wo, n, pends);
          columnScales(scales, wo, n, mulB, expB);
          st.row(ci, n, special, pends, 0, colMul, colExp, runMul[r], runExp[r], len, r === runs - 1, acc);
        }
      }
      if (!gemm || inGroup === 0) return;
      for (let r = 0, p0 = 0; r < regularRuns; r++) {
        const p1 = Math.min(ku, (Math.floor((k0 + p0) / kb) + 1) * kb - k0), len = p1 - p0, wo = (k0 + p0) * n;
        if (run32.length < m * len) run32 = new Float32Array(m * len);
        for (let i = 0; i < m; i++) for (let p = 0; p < len; p++) run32[i * len + p] = a32[i * ku + p0 + p];
        const sums = gemmF64Wasm(run32, (values32 as Float32Array).subarray(wo, wo + len * n), m, n, len, true);
        // the weight blocks' scales of this run, the same for every row
        columnScales(scales, wo, n, mulB, expB);
        for (let i = 0; i < m; i++) {
          if (grouped[i] === 0) continue;
          let rowSums = sums, so = i * n;
          if (rowSums === undefined) {
            // no WebAssembly GEMM for this size: the same sums in TypeScript
            for (let p = 0; p < len; p++) rowValues[p] = a32[i * ku + p0 + p];
            runSums(rowValues, 0, len, values, wo, n, pends);
            rowSums = pends;
            so = 0;
          }
          st.row(i * n, n, special, rowSums, so, colMul, colExp, groupMul[i * regularRuns + r], groupExp[i * regularRuns + r], len, r === regularRuns - 1, acc);
        }
        p0 = p1;
      }
    },
  };
  return kernel;
}
