/**
 * Helpers of the operator kernels (models/ops/*.ts): strides and numpy broadcasting, erf,
 * sign, a softmax row, and the per-tensor caches of weight layouts.
 */
import { numel, type Shape } from '../graph.ts';
import { vectorRows } from './wasm/vector-rows.ts';

export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Offsets `sum(index[d] * stride[d])` of every element of `outShape`, in row-major order. */
/**
 * stridedOffsets, computed once per (shape, strides): a model runs the same few broadcasts and
 * transposes (a bias over rows, a head split) in every layer, image and window. The arrays are
 * shared: callers only read them. Bounded: the cache starts over past 2^24 offsets.
 */
export function cachedStridedOffsets(outShape: Shape, stride: readonly number[]): Int32Array {
  const key = `${outShape.join(',')}|${stride.join(',')}`;
  let off = offsetCache.get(key);
  if (!off) {
    off = stridedOffsets(outShape, stride);
    if (cachedOffsets + off.length > 2 ** 24) {
      offsetCache.clear();
      cachedOffsets = 0;
    }
    offsetCache.set(key, off);
    cachedOffsets += off.length;
  }
  return off;
}
const offsetCache = new Map<string, Int32Array>();
let cachedOffsets = 0;

export function stridedOffsets(outShape: Shape, stride: readonly number[]): Int32Array {
  const r = outShape.length;
  const n = numel(outShape);
  const off = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let e = 0; e < n; e++) {
    off[e] = o;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      o += stride[d];
      if (idx[d] < outShape[d]) break;
      o -= stride[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return off;
}

/** offsets into a tensor of `inShape` for every element of `outShape` (numpy broadcasting; shared, read only) */
export function broadcastOffsets(outShape: Shape, inShape: Shape): Int32Array {
  const r = outShape.length;
  const inStr = strides(inShape);
  return cachedStridedOffsets(outShape, outShape.map((_d, i) => {
    const j = i - (r - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : inStr[j];
  }));
}

/**
 * How inputs broadcast against an output, as rows: the output is `outer` rows of `len`
 * contiguous elements, and over each row every input either runs along with it (step 1, from
 * its offset `bases[input][row]`) or holds one value (step 0). The rows are the longest suffix of
 * dimensions on which each input is one or the other, so a bias over the last axis, a scalar or
 * a same-shape operand make one long loop without an offset per element (element-wise kernels).
 * Computed once per set of shapes; shared, read only.
 */
export interface BroadcastPlan {
  readonly outer: number;
  readonly len: number;
  readonly bases: readonly Int32Array[];
  readonly steps: readonly number[];
}

export function broadcastPlan(outShape: Shape, inShapes: readonly Shape[]): BroadcastPlan {
  const key = `${outShape.join(',')}|${inShapes.map((s) => s.join(',')).join(';')}`;
  let plan = planCache.get(key);
  if (plan) return plan;
  const r = outShape.length;
  const dimOf = (s: Shape, i: number) => (i - (r - s.length) < 0 ? 1 : s[i - (r - s.length)]);
  // per input and output dimension: 1 runs along it, 0 broadcast over it, -1 either (size 1)
  const runs = (s: Shape, i: number) => (outShape[i] === 1 ? -1 : dimOf(s, i) === outShape[i] ? 1 : 0);
  const kind = inShapes.map(() => -1);
  let split = r;
  for (; split > 0; split--) {
    const d = split - 1;
    if (!inShapes.every((s, t) => runs(s, d) === -1 || kind[t] === -1 || runs(s, d) === kind[t])) break;
    inShapes.forEach((s, t) => {
      if (runs(s, d) !== -1) kind[t] = runs(s, d);
    });
  }
  const outerShape = outShape.slice(0, split);
  const bases = inShapes.map((s) => {
    const st = strides(s);
    return stridedOffsets(outerShape, outerShape.map((_d, i) => {
      const j = i - (r - s.length);
      return j < 0 || s[j] === 1 ? 0 : st[j];
    }));
  });
  plan = { outer: numel(outerShape), len: numel(outShape.slice(split)), bases, steps: kind.map((k) => (k === 1 ? 1 : 0)) };
  if (planCache.size > 4096) planCache.clear();
  planCache.set(key, plan);
  return plan;
}
const planCache = new Map<string, BroadcastPlan>();

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * erf by Numerical Recipes' erfc (Chebyshev; fractional error < 1.2e-7):
 * erf(x) = +-(1 - t exp(erfcExponent(z, t))), z = |x|, t = 1 / (1 + z / 2).
 */
function erfcExponent(z: number, t: number): number {
  return -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
}

export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(erfcExponent(z, t));
  return x >= 0 ? 1 - r : r - 1;
}

let erfT = new Float64Array(0), erfE = new Float64Array(0);

/**
 * o[i] = erf(x[i]) rounded to fp32 (a Float32Array store), in three passes over the array (t
 * and the exponent; exp; the product and the sign) with the same float64 operations as erf, so
 * the same bits: a loop without a call overlaps its elements' divisions and polynomials, and
 * the exp loop is a call and a store (GELU's erf in a language model: 8.6 -> 5 ms a window).
 */
export function erfFp32(x: Float32Array, o: Float32Array): Float32Array {
  // the WebAssembly rows where they take it: the same operations, fdlibm's exp as Math.exp's
  if (vectorRows()?.erf(x, o)) return o;
  const n = x.length;
  if (erfT.length < n) {
    erfT = new Float64Array(n);
    erfE = new Float64Array(n);
  }
  const ts = erfT, es = erfE;
  for (let i = 0; i < n; i++) {
    const z = Math.abs(x[i]);
    const t = 1 / (1 + 0.5 * z);
    ts[i] = t;
    es[i] = erfcExponent(z, t);
  }
  for (let i = 0; i < n; i++) es[i] = Math.exp(es[i]);
  // (1 - r) * -1 is r - 1 exactly, and NaN stays NaN: erf's sign without a branch
  for (let i = 0; i < n; i++) o[i] = (1 - ts[i] * es[i]) * (+(x[i] >= 0) * 2 - 1);
  return o;
}

export function signOf(x: Float32Array): Float32Array {
  const o = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] < 0 ? -1 : 1;
  return o;
}

export function softmaxRow(x: Float32Array, o: Float32Array, base: number, stride: number, len: number, vr: (v: number) => number): void {
  let mx = -Infinity;
  for (let i = 0; i < len; i++) if (x[base + i * stride] > mx) mx = x[base + i * stride];
  let sum = 0;
  for (let i = 0; i < len; i++) {
    // a masked score (-Infinity: a causal model's future positions) is exp(-Infinity) = 0
    const d = vr(x[base + i * stride] - mx);
    const e = d === -Infinity ? 0 : vr(Math.exp(d));
    o[base + i * stride] = e;
    sum = vr(sum + e);
  }
  for (let i = 0; i < len; i++) o[base + i * stride] = vr(o[base + i * stride] / sum);
}

/**
 * GEMM layouts of a weight tensor, built once per tensor (and grouping): a model runs many
 * images, and the stable arrays let backends cache their quantized weights too.
 */
const layouts = new WeakMap<Float32Array, Map<number, Float32Array[]>>();

const signed = new WeakMap<Float32Array, Float32Array>();

/** sign(w) of a weight tensor, computed once per tensor */
export function signedWeight(w: Float32Array): Float32Array {
  let s = signed.get(w);
  if (!s) signed.set(w, (s = signOf(w)));
  return s;
}

export function weightLayout(w: Float32Array, key: number, build: () => Float32Array[]): Float32Array[] {
  let byKey = layouts.get(w);
  if (!byKey) layouts.set(w, (byKey = new Map()));
  let l = byKey.get(key);
  if (!l) byKey.set(key, (l = build()));
  return l;
}


let gemmResults = new Float64Array(0);

/**
 * A buffer for a GEMM's results (ArrayBackend.gemm's `out`), reused from call to call: the
 * kernels read a GEMM's results before their next GEMM, and a fresh result array per layer and
 * image cost the accuracy runs much of their time in allocation and garbage collection (issue 21).
 */
export function gemmResultBuffer(size: number): Float64Array {
  if (gemmResults.length < size) gemmResults = new Float64Array(size);
  return gemmResults;
}
