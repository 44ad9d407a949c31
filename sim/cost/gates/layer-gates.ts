/**
 * Per-layer gate-level energies of a run (technology gates45), from the best operands there are:
 *
 *  - functional runs: the layer's own operand stream (the bits the array multiplies), in the
 *    dataflow's order (pe-energy.ts);
 *  - timing-only runs of a model with weights: samples of the model's weights and of the
 *    activations a calibration batch produces at that layer (the caller, models/, runs the
 *    batch and hands the quantized GEMM operands over);
 *  - otherwise a stated distribution (STATED_DISTRIBUTION below).
 *
 * A sample is a sub-GEMM of the layer: `SAMPLE_M` consecutive rows of A (pixels in order, so a
 * weight-stationary stream keeps its spatial correlation) from a seeded offset, up to one
 * array-width of B's columns, all of K; it runs on the layer's array and dataflow with the
 * MAC budget of `maxMacs`.
 */
import { defaultAccumulate } from '../../arch/schema.ts';
import type { Mapping } from '../../dataflows/mapping.ts';
import { mapGemm } from '../../dataflows/mapping.ts';
import type { PsumStore } from '../../array/psum.ts';
import type { PeKind } from '../../pe/types.ts';
import { tensorScale } from '../../pe/tensor-scale.ts';
import { makeRng } from '../../random.ts';
import type { GateLayerEnergy } from './gate-cost.ts';
import { gemmGateEnergy, type StreamOptions } from './pe-energy.ts';
import type { GatePe } from './pe-gates.ts';

/** A layer's GEMM operands as the PE's bit patterns: A (m x k) and B (k x n), row-major. */
export interface GemmSample {
  readonly a: ArrayLike<number>;
  readonly b: ArrayLike<number>;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** where they came from, for the report */
  readonly description: string;
}

export const STATED_DISTRIBUTION =
  'stated distribution: activations max(0, x), x ~ N(0, 1) (ReLU outputs: half zeros), the first layer N(0, 1); ' +
  'weights N(0, 1); integer formats scaled per tensor by max |x|';

/** MACs evaluated per layer by default: timing-only samples, and the cap on functional streams. */
export const DEFAULT_SAMPLE_MACS = 4096;
export const DEFAULT_STREAM_MACS = 1 << 16;
const SAMPLE_M = 64;
const DIST_K = 128;

function quantize(pe: PeKind, values: Float64Array, role: 'input' | 'weight'): Uint32Array {
  const f = role === 'input' ? pe.input : pe.weight;
  const s = tensorScale(f, values);
  const q = role === 'input' ? (x: number) => pe.quantizeInput(x) : (x: number) => pe.quantizeWeight(x);
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = q(values[i] / s);
  return out;
}

/** Operands drawn from the stated distribution (seeded), quantized into the PE's formats. */
export function distributionSample(pe: PeKind, m: number, n: number, k: number, firstLayer: boolean, seed: number): GemmSample {
  const rng = makeRng(seed);
  const a = new Float64Array(m * k), b = new Float64Array(k * n);
  for (let i = 0; i < a.length; i++) {
    const x = rng.normal();
    a[i] = firstLayer ? x : Math.max(0, x);
  }
  for (let i = 0; i < b.length; i++) b[i] = rng.normal();
  return { a: quantize(pe, a, 'input'), b: quantize(pe, b, 'weight'), m, n, k, description: STATED_DISTRIBUTION };
}

/** A sub-GEMM of a sample: rows [m0, m0 + m) of A, columns [n0, n0 + n) of B, all of K. */
function subGemm(s: GemmSample, m0: number, m: number, n0: number, n: number): GemmSample {
  const k = s.k;
  const a = new Uint32Array(m * k), b = new Uint32Array(k * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = s.a[(m0 + i) * k + p];
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[p * n + j] = s.b[p * s.n + n0 + j];
  return { a, b, m, n, k, description: s.description };
}

export interface SampleOptions extends StreamOptions {
  /** the partial-sum store of the run (ws / is partial sums between row folds) */
  readonly psum: PsumStore;
}

/** Energy per MAC of a sample of a layer on the array (rows x cols, dataflow). */
export function sampleGateEnergy(g: GatePe, sample: GemmSample, rows: number, cols: number, mp: Mapping, source: GateLayerEnergy['source'], opts: SampleOptions): GateLayerEnergy {
  const rng = makeRng((opts.seed ?? 1) ^ 0x2545f491);
  const m = Math.min(sample.m, SAMPLE_M), n = Math.min(sample.n, cols);
  const m0 = rng.int(sample.m - m + 1), n0 = rng.int(sample.n - n + 1);
  const sub = m === sample.m && n === sample.n ? sample : subGemm(sample, m0, m, n0, n);
  const smp = mapGemm({ m, n, k: sample.k }, rows, cols, mp.dataflow);
  const e = gemmGateEnergy(g, smp, { a: sub.a, b: sub.b, psum: opts.psum }, { ...opts, maxMacs: opts.maxMacs ?? DEFAULT_SAMPLE_MACS });
  return { ...e, source, description: sample.description };
}

/** distribution profiles by PE design and sample shape: deterministic, so shared by every run in the process */
const distMemo = new Map<string, GateLayerEnergy>();
const DIST_MEMO_MAX = 512;

/**
 * Energy per MAC from the stated distribution; the sub-GEMM is clamped (M <= 64, N <= cols,
 * K <= 128), so layers of the same shape class share one evaluation (memoized per PE model).
 */
export function distributionGateEnergy(g: GatePe, mp: Mapping, firstLayer: boolean, opts: SampleOptions): GateLayerEnergy {
  const m = Math.min(mp.gemm.m, SAMPLE_M), n = Math.min(mp.gemm.n, mp.cols), k = Math.min(mp.gemm.k, DIST_K);
  const key = JSON.stringify([
    g.design, g.pe.name, g.pe.reuse, g.pe.acc.name, g.pe.product.name, g.calibration.energy_scale,
    mp.dataflow, mp.rows, mp.cols, m, n, k, firstLayer, opts.gateZeros === true, opts.maxMacs ?? DEFAULT_SAMPLE_MACS, opts.seed ?? 1, opts.psum.format.name,
    opts.accumulate ?? defaultAccumulate(mp.dataflow),
  ]);
  const hit = distMemo.get(key);
  if (hit) return hit;
  const s = distributionSample(g.pe, m, n, k, firstLayer, opts.seed ?? 1);
  const e = sampleGateEnergy(g, s, mp.rows, mp.cols, mapGemm({ m, n, k }, mp.rows, mp.cols, mp.dataflow), 'distribution', opts);
  if (distMemo.size >= DIST_MEMO_MAX) distMemo.clear();
  distMemo.set(key, e);
  return e;
}
