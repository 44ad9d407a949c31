/**
 * The array backend of accuracy runs and `bitweave exec`: products through the PE, additions in
 * the dataflow's order with the arch's accumulation structure, partial sums through the
 * partial-sum format between folds (sim/array/ordered-gemm.ts) — the bits `bitweave run
 * --functional` computes for the same GEMM on the same array.
 */
import { defaultAccumulate, type Accumulate, type Dataflow } from '../../sim/arch/schema.ts';
import { orderedGemm, orderedGemmFp32, orderedGemmFp32Values, type GemmOperands } from '../../sim/array/ordered-gemm.ts';
import { tileKernelOf } from '../../sim/pe/tile-kernels.ts';
import { dataflowRules } from '../../sim/dataflows/index.ts';
import { psumStore } from '../../sim/array/psum.ts';
import type { NumberFormat } from '../../sim/pe/formats.ts';
import { fp32Quantizer } from '../../sim/pe/fp32-quantizer.ts';
import { intQuantizer } from '../../sim/pe/int-quantizer.ts';
import type { FreshWeights, PeKind, PreparedWeights } from '../../sim/pe/types.ts';
import { stateIsValue } from '../../sim/pe/accumulator.ts';
import { gemmResultBuffer } from './kernel-util.ts';
import { applyTensorScales, blockQuantizeA, blockQuantizeB, peBackend, quantizeScaled, rescale, type ArrayBackend, type BlockTensorScale, type GemmUse, type OperandScale } from './backends.ts';

export interface ArrayOrder {
  readonly dataflow: Dataflow;
  /** array rows: how K is folded in ws / is */
  readonly rows: number;
  /** partial-sum storage format (default: the PE's accumulator format) */
  readonly psum?: NumberFormat;
  /** ws / is: where partial sums of row folds are added (default: below for ws / is) */
  readonly accumulate?: Accumulate;
}

/** B's codes (k x n, given by row-major index) laid out column-major (column j at j * k): the weights' layout for the array. */
function columnMajor(k: number, n: number, code: (i: number) => number): Uint32Array {
  const bits = new Uint32Array(k * n);
  for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) bits[j * k + q] = code(q * n + j);
  return bits;
}

/** o[i, j] += bias[j], each sum rounded to fp32 (the typed array's store rounds the exact float64 sum once). */
function addBias(o: Float32Array, bias: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) o[i * n + j] = o[i * n + j] + bias[j];
}

/** Sees each GEMM's quantized operands: A (m x k, row-major) and B transposed (n x k). */
export type GemmObserver = (a: Uint32Array, bT: Uint32Array, m: number, n: number, k: number) => void;

export function arrayBackend(pe: PeKind, order: ArrayOrder, observe?: GemmObserver): ArrayBackend {
  const psum = psumStore(pe, order.psum);
  const rules = dataflowRules(order.dataflow);
  const accumulate = order.accumulate ?? defaultAccumulate(order.dataflow);
  const base = peBackend(pe);
  // activations are fp32 values: narrow float inputs round through exact lookup tables
  const fastInput = pe.input.kind === 'float' ? fp32Quantizer(pe.input, pe.quantizeOptions) : undefined;
  const fastWeight = pe.weight === pe.input ? fastInput : pe.weight.kind === 'float' ? fp32Quantizer(pe.weight, pe.quantizeOptions) : undefined;
  // integer activations (int8, int4): scaled and rounded in one loop
  const intInput = pe.input.kind === 'int' ? intQuantizer(pe.input, pe.quantizeOptions) : undefined;
  // weights are the same arrays image after image: quantize and transpose each once
  // and lay them out for the PE's tile kernel once (sim/pe/tile-kernels.ts)
  const tile = tileKernelOf(pe);
  type Weights = Omit<GemmOperands, 'a' | 'b'> & { readonly b: Uint32Array; readonly scale: OperandScale };
  const weights = new WeakMap<Float32Array, Weights>();
  type BlockWeights = Omit<GemmOperands, 'a'> & { readonly tensorScale: BlockTensorScale };
  const blockWeights = new WeakMap<Float32Array, BlockWeights>();
  const quantizedBlocks = (b: Float32Array, k: number, n: number, once = false, perColumn = false): BlockWeights => {
    const hit = once ? undefined : blockWeights.get(b);
    if (hit) return hit;
    const q = blockQuantizeB(pe, b, k, n, perColumn);
    const bits = columnMajor(k, n, (i) => q.codes[i]);
    const r: BlockWeights = { b: bits, bRow: 1, bCol: k, tensorScale: q.tensorScale, ...(tile && { prepared: tile.prepare(bits, 1, k, k, n) }) };
    if (!once) blockWeights.set(b, r);
    return r;
  };
  const quantized = (b: Float32Array, sb: OperandScale, k: number, n: number, once = false): Weights => {
    const hit = once ? undefined : weights.get(b);
    if (hit && hit.scale === sb) return hit;
    let rows: Uint32Array;
    if (sb === 1 && fastWeight?.many) {
      // fp32 operands (the attention matmuls' activations) through the exact tables; a B read by
      // this call only into a buffer reused from call to call (the tile kernel copies its codes)
      rows = once ? onceRows(k * n) : new Uint32Array(k * n);
      fastWeight.many(b, rows);
    } else rows = quantizeScaled(b, sb, false, n, (v) => pe.quantizeWeight(v));
    // B transposed (each output's weights contiguous; the order of additions is unchanged) for
    // the PE's dot and an observer; a tile kernel lays out B itself, from rows as they are
    const [bits, bRow, bCol] = tile && !observe ? [rows, n, 1] : [columnMajor(k, n, (i) => rows[i]), 1, k];
    const ops: Weights = { scale: sb, b: bits, bRow, bCol, ...(tile && { prepared: tile.prepare(bits, bRow, bCol, k, n) }) };
    if (!once) weights.set(b, ops);
    return ops;
  };
  let onceCodes = new Uint32Array(0);
  const onceRows = (size: number): Uint32Array => {
    if (onceCodes.length < size) onceCodes = new Uint32Array(size);
    return onceCodes.subarray(0, size);
  };
  let codes = new Uint32Array(0);
  const codesBuffer = (size: number): Uint32Array => {
    if (codes.length < size) codes = new Uint32Array(size);
    return codes.subarray(0, size);
  };
  /** A's codes and B's layout, as the array reads them (A's codes during this call only, unless an observer keeps them) */
  const operands = (a: Float32Array, b: Float32Array, m: number, n: number, k: number, sa: OperandScale, sb: OperandScale, once: boolean) => {
    const qa = observe ? new Uint32Array(a.length) : codesBuffer(a.length);
    if (intInput && typeof sa === 'number') intInput(a, sa === 1 ? 1 : 1 / sa, qa);
    else if (intInput && typeof sa !== 'number') {
      // a scale per row (per token): each row in one loop
      for (let r = 0; r < m; r++) intInput(a.subarray(r * k, (r + 1) * k), sa[r] === 1 ? 1 : 1 / sa[r], qa.subarray(r * k, (r + 1) * k));
    } else if (sa === 1 && fastInput?.many) fastInput.many(a, qa);
    else if (sa === 1 && fastInput) for (let i = 0; i < a.length; i++) qa[i] = fastInput(a[i]);
    else quantizeScaled(a, sa, true, k, (v) => pe.quantizeInput(v), qa);
    const qb = quantized(b, sb, k, n, once);
    observe?.(qa, qb.b, m, n, k);
    return { qa, qb };
  };
  /**
   * The fp32 operands quantized where the tile kernel reads them, its fp32 results into `o`
   * (orderedGemmFp32Values): no codes copied out and back in, and a B read by this call only
   * not prepared in TypeScript. Not with an observer (it sees the codes); false where the
   * kernel does not take the GEMM so (nothing written).
   */
  const inRows = (a: Float32Array, b: Float32Array, m: number, n: number, k: number, o: Float32Array, use?: GemmUse): boolean => {
    const aRows = fastInput?.rows?.();
    if (observe || !aRows || !tile?.passFp32Values) return false;
    let w: PreparedWeights | FreshWeights | undefined;
    if (use?.once) {
      const bRows = fastWeight?.rows?.();
      if (bRows) w = { values: b, rows: bRows, k, n };
    } else w = quantized(b, 1, k, n).prepared;
    return !!w && orderedGemmFp32Values(rules, order.rows, pe, psum, a, aRows, w, m, n, k, accumulate, o, use?.cols, use?.bias);
  };
  return {
    name: `array:${pe.name}:${order.dataflow}${order.dataflow === 'os' ? '' : `:${accumulate}`}`,
    scale: base.scale,
    // float activations at scale 1 (block PEs scale theirs along K): rounded by the input format's rows, where they take it
    inputRounding: () => (pe.block || base.scale(Float32Array.of(3), 'input') !== 1 ? undefined : fastInput?.rows?.()),
    ...(base.blockSize !== undefined && { blockSize: base.blockSize, samePrefix: base.samePrefix }),
    gemm: (a, b, m, n, k, sa, sb, out, use) => {
      const once = use?.once ?? false;
      if (pe.block) {
        // block PEs quantize vectors along K themselves (scale() gave 1); NVFP4's tensor scale per token in a language model
        const tokens = use?.tokens ?? false;
        const qa = blockQuantizeA(pe, a, m, k, tokens), qb = quantizedBlocks(b, k, n, once, tokens && once);
        const states = orderedGemm(rules, order.rows, pe, psum, { ...qb, a: qa.codes }, m, n, k, accumulate, out);
        for (let i = 0; i < states.length; i++) states[i] = pe.accValue(states[i]);
        return applyTensorScales(states, qa.tensorScale, qb.tensorScale, n);
      }
      const { qa, qb } = operands(a, b, m, n, k, sa, sb, once);
      const states = orderedGemm(rules, order.rows, pe, psum, { ...qb, a: qa, cols: use?.cols }, m, n, k, accumulate, out);
      // float kinds: the states are the values and there is no scale (no pass at all)
      if (pe.accValue !== stateIsValue) for (let i = 0; i < states.length; i++) states[i] = pe.accValue(states[i]);
      rescale(states, sa, sb, n);
      return states;
    },
    // the float kinds' states are their values: fp32 results straight from the tile kernel where
    // it takes the GEMM whole, else its states from the same operands, quantized once
    ...(!pe.block && pe.accValue === stateIsValue && tile?.passFp32 && {
      gemmFp32: (a: Float32Array, b: Float32Array, m: number, n: number, k: number, sa: OperandScale, sb: OperandScale, o: Float32Array, use?: GemmUse): boolean => {
        if (sa !== 1 || sb !== 1) return false;
        if (inRows(a, b, m, n, k, o, use)) return true;
        const { qa, qb } = operands(a, b, m, n, k, sa, sb, use?.once ?? false);
        const ops = { ...qb, a: qa, cols: use?.cols };
        if (!orderedGemmFp32(rules, order.rows, pe, psum, ops, m, n, k, accumulate, o)) {
          o.set(orderedGemm(rules, order.rows, pe, psum, ops, m, n, k, accumulate, gemmResultBuffer(m * n)).subarray(0, m * n));
        }
        if (use?.bias) addBias(o, use.bias, m, n);
        return true;
      },
    }),
  };
}
