/**
 * The precision of dot products as the hardware forms them: what `bitweave precision dot`
 * prints. Seeded random vectors a, b of length K are quantized into a format (an element
 * format such as e4m3, or a block format such as mxfp4 with its blocks along K), multiplied
 * exactly, and accumulated by the accumulator under study (fp32, an N-bit register, with or
 * without promotion to fp32). Each result is compared with
 *  - the exact dot product of the quantized vectors: the error of the accumulation alone;
 *  - the exact dot product of the real vectors: quantization and accumulation together.
 *
 * Errors: relative |r - e| / |e| per dot product (mean and max over the samples; dot
 * products whose exact value is 0 are left out of it), and normwise max |r - e| / max |e|
 * over the samples (the error relative to the largest output, as a GEMM's would be read).
 * The real inputs are fp32 values (drawn in float64, rounded to fp32), so their products
 * are exact in float64 and every reference sum is exact (dyadic.ts).
 */
import { InputError } from '../errors.ts';
import { blockDot, makeBlockDotUnit } from './block-dot.ts';
import { getBlockFormat, isBlockFormatName, type BlockFormat } from './block-formats.ts';
import { dequantizeBlocks, quantizeBlocks, type BlockTensor } from './block-tensor.ts';
import { decodeFloat, encodeFloat, floatDecodeTable } from './float-codec.ts';
import { fp32Quantizer } from './fp32-quantizer.ts';
import { getFormat, type FloatFormat } from './formats.ts';
import { ExactSum, dyadicOf, dyadicToDouble, mulDyadic } from './dyadic.ts';
import {
  FP32_ACCUMULATION, describeAccumulation, isPlainFp32Accumulation, makeAccumulation, newRegs, type AccumulatorSpec,
} from './limited-acc.ts';
import { makeRng, type Rng } from '../random.ts';

export type DotDistribution = 'normal' | 'uniform' | 'loguniform';

export const DOT_LIMITS = { maxK: 2 ** 20, maxSamples: 100000, maxWork: 2 ** 26 } as const;

export interface DotPrecisionOptions {
  /** an element format (fp32, bf16, e4m3, e2m1, eXmY...) or a block format (mxfp4, nvfp4...) */
  readonly format: string;
  readonly k: number;
  /** block size of a block format (its default when undefined) */
  readonly blockSize?: number;
  readonly samples: number;
  readonly dist: DotDistribution;
  readonly seed: number;
  /** the accumulator under study; rows for plain fp32 and for no promotion come with it */
  readonly acc: AccumulatorSpec;
}

export interface DotErrorRow {
  readonly accumulator: string;
  readonly bits: number;
  readonly round: string;
  readonly promote: number;
  /** against the exact dot product of the quantized inputs */
  readonly mean_rel_error: number;
  readonly max_rel_error: number;
  readonly normwise_error: number;
  /** against the exact dot product of the real inputs */
  readonly mean_rel_error_vs_real: number;
  readonly normwise_error_vs_real: number;
  /** samples whose result was NaN or infinite (left out of the statistics) */
  readonly non_finite: number;
}

export interface DotPrecisionReport {
  readonly format: string;
  readonly k: number;
  readonly block_size: number | null;
  readonly samples: number;
  readonly dist: DotDistribution;
  readonly seed: number;
  readonly rows: readonly DotErrorRow[];
}

/** How the study quantizes and multiplies: per element (exact products) or per block (the dot unit). */
type Quantizer =
  | { readonly kind: 'element'; readonly format: FloatFormat; readonly saturate: boolean }
  | { readonly kind: 'block'; readonly format: BlockFormat };

function quantizerFor(opts: DotPrecisionOptions): Quantizer {
  if (isBlockFormatName(opts.format)) return { kind: 'block', format: getBlockFormat(opts.format, opts.blockSize) };
  if (opts.blockSize !== undefined) throw new InputError(`--block applies to block formats (mxfp4, nvfp4, ...), not ${opts.format}`);
  const f = getFormat(opts.format);
  if (f.kind !== 'float') {
    throw new InputError(`precision dot takes a float element format or a block format, not ${f.name} (for 8-bit integers see mxint8)`);
  }
  // as the fp8 PE kinds do: conversions into formats of at most 8 bits saturate
  return { kind: 'element', format: f, saturate: f.bits <= 8 };
}

export function validateDotOptions(opts: DotPrecisionOptions): Quantizer {
  const q = quantizerFor(opts);
  if (!Number.isInteger(opts.k) || opts.k < 1 || opts.k > DOT_LIMITS.maxK) {
    throw new InputError(`--k must be an integer in 1..${DOT_LIMITS.maxK}, got ${opts.k}`);
  }
  if (!Number.isInteger(opts.samples) || opts.samples < 1 || opts.samples > DOT_LIMITS.maxSamples) {
    throw new InputError(`--samples must be an integer in 1..${DOT_LIMITS.maxSamples}, got ${opts.samples}`);
  }
  if (opts.k * opts.samples > DOT_LIMITS.maxWork) {
    throw new InputError(`--k x --samples must be at most ${DOT_LIMITS.maxWork} products, got ${opts.k * opts.samples}`);
  }
  if (!Number.isInteger(opts.seed)) throw new InputError(`--seed must be an integer, got ${opts.seed}`);
  if (q.kind === 'block' && opts.acc.promote % q.format.blockSize !== 0) {
    throw new InputError(
      `--acc-promote ${opts.acc.promote} is not a multiple of ${q.format.name}'s block size ${q.format.blockSize}: ` +
        'a block enters the accumulator as one value, so promotion happens between blocks',
    );
  }
  return q;
}

function drawer(rng: Rng, dist: DotDistribution): () => number {
  if (dist === 'normal') return () => Math.fround(rng.normal());
  if (dist === 'uniform') return () => Math.fround(rng.next());
  return () => {
    const mag = 2 ** (-4 + 8 * rng.next());
    return Math.fround(rng.next() < 0.5 ? -mag : mag);
  };
}

/** fp32 value -> its value rounded into f (fast tables for narrow formats) */
function elementRounder(f: FloatFormat, saturate: boolean): (x: number) => number {
  const o = { saturate };
  const q = fp32Quantizer(f, o);
  if (q) {
    const t = floatDecodeTable(f);
    return (x) => t[q(x)];
  }
  return (x) => decodeFloat(f, encodeFloat(f, x, o));
}

/** the accumulators a report shows: fp32, the register without promotion, the one asked for */
function accumulatorsFor(spec: AccumulatorSpec): AccumulatorSpec[] {
  const list: AccumulatorSpec[] = [FP32_ACCUMULATION];
  const noPromote = { ...spec, promote: 0 };
  if (!isPlainFp32Accumulation(noPromote)) list.push(noPromote);
  if (spec.promote > 0) list.push(spec);
  return list;
}

interface Stats {
  sumRel: number; maxRel: number; nRel: number; maxErr: number;
  sumRelReal: number; nRelReal: number; maxErrReal: number; nonFinite: number;
}

export function dotPrecision(opts: DotPrecisionOptions): DotPrecisionReport {
  const q = validateDotOptions(opts);
  const specs = accumulatorsFor(opts.acc);
  const accs = specs.map(makeAccumulation);
  const stats: Stats[] = specs.map(() => ({ sumRel: 0, maxRel: 0, nRel: 0, maxErr: 0, sumRelReal: 0, nRelReal: 0, maxErrReal: 0, nonFinite: 0 }));
  let maxExact = 0, maxReal = 0;
  const rng = makeRng(opts.seed);
  const draw = drawer(rng, opts.dist);
  const k = opts.k;
  const a = new Float64Array(k), b = new Float64Array(k), products = new Float64Array(k);
  const unit = q.kind === 'block' ? makeBlockDotUnit(q.format, q.format) : undefined;
  const toElement = q.kind === 'element' ? elementRounder(q.format, q.saturate) : (x: number) => x;
  for (let s = 0; s < opts.samples; s++) {
    for (let i = 0; i < k; i++) {
      a[i] = draw();
      b[i] = draw();
    }
    const real = new ExactSum();
    for (let i = 0; i < k; i++) real.add(a[i] * b[i]); // fp32 x fp32: exact in float64
    const realValue = real.value();
    let exact: number;
    let results: number[];
    if (q.kind === 'element') {
      const sum = new ExactSum();
      for (let i = 0; i < k; i++) {
        products[i] = toElement(a[i]) * toElement(b[i]);
        sum.add(products[i]);
      }
      exact = sum.value();
      results = accs.map((acc) => {
        const regs = newRegs();
        for (let i = 0; i < k; i++) acc.add(regs, products[i], 1);
        return acc.value(regs);
      });
    } else {
      const ta = quantizeBlocks(q.format, a), tb = quantizeBlocks(q.format, b);
      exact = exactBlockDot(ta, tb);
      results = accs.map((acc) => blockDot(unit as ReturnType<typeof makeBlockDotUnit>, ta, tb, acc));
    }
    if (Math.abs(exact) > maxExact) maxExact = Math.abs(exact);
    if (Math.abs(realValue) > maxReal) maxReal = Math.abs(realValue);
    results.forEach((r, j) => {
      const st = stats[j];
      if (!Number.isFinite(r)) {
        st.nonFinite++;
        return;
      }
      const err = Math.abs(r - exact), errReal = Math.abs(r - realValue);
      if (err > st.maxErr) st.maxErr = err;
      if (errReal > st.maxErrReal) st.maxErrReal = errReal;
      if (exact !== 0) {
        const rel = err / Math.abs(exact);
        st.sumRel += rel;
        st.nRel++;
        if (rel > st.maxRel) st.maxRel = rel;
      }
      if (realValue !== 0) {
        st.sumRelReal += errReal / Math.abs(realValue);
        st.nRelReal++;
      }
    });
  }
  const rows = specs.map((spec, j): DotErrorRow => {
    const st = stats[j];
    return {
      accumulator: describeAccumulation(spec),
      bits: spec.bits, round: spec.round, promote: spec.promote,
      mean_rel_error: st.nRel ? st.sumRel / st.nRel : NaN,
      max_rel_error: st.maxRel,
      normwise_error: maxExact > 0 ? st.maxErr / maxExact : NaN,
      mean_rel_error_vs_real: st.nRelReal ? st.sumRelReal / st.nRelReal : NaN,
      normwise_error_vs_real: maxReal > 0 ? st.maxErrReal / maxReal : NaN,
      non_finite: st.nonFinite,
    };
  });
  return {
    format: q.format.name, k, block_size: q.kind === 'block' ? q.format.blockSize : null,
    samples: opts.samples, dist: opts.dist, seed: opts.seed, rows,
  };
}

/** the exact dot product of two quantized vectors (every element at its block scale) */
function exactBlockDot(x: BlockTensor, y: BlockTensor): number {
  // element * block scale is exact in float64 and so is the product of two of them
  // (MX: at most 8 + 8 significant bits; NVFP4: 2 + 4 each); the tensor scales come after
  const xs = dequantizeBlocks({ ...x, tensorScale: 1 }), ys = dequantizeBlocks({ ...y, tensorScale: 1 });
  const sum = new ExactSum();
  for (let i = 0; i < xs.length; i++) sum.add(xs[i] * ys[i]);
  if (x.tensorScale === 1 && y.tensorScale === 1) return sum.value();
  const v = sum.value();
  if (!Number.isFinite(v)) return v * x.tensorScale * y.tensorScale;
  return dyadicToDouble(mulDyadic(mulDyadic(sum.dyadic, dyadicOf(x.tensorScale)), dyadicOf(y.tensorScale)));
}
