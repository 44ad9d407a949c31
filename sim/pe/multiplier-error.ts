/**
 * Error statistics of multiplier kinds against the exact product: what `bitweave precision
 * mul` prints, and what the L-Mul paper's precision claims are checked with.
 *
 * Each sample is a pair of reals (x, y); a PE quantizes them into its input formats (with the
 * scaling its kind needs: none for floats, a per-set max-abs scale for integers, XNOR-Net's
 * mean-abs scale for binary, TWN's threshold and scale for ternary), multiplies, and the
 * decoded product (scaled back) is compared with the exact x*y.
 */
import { decode } from './codec.ts';
import { getPe as registryGetPe, type PeOptions } from './registry.ts';
import type { PeKind } from './types.ts';
import { makeRng } from '../random.ts';
import { blockFormats } from './block-formats.ts';
import { dequantizeBlocks, quantizeBlocks } from './block-tensor.ts';

export type SampleDistribution = 'loguniform' | 'normal';

export interface PrecisionOptions {
  readonly samples: number;
  readonly dist: SampleDistribution;
  readonly seed: number;
  /** log2 range of |x| for loguniform samples */
  readonly logRange?: readonly [number, number];
  /** where PE kinds come from (default: the registry); tests inject wrapped PEs here */
  readonly getPe?: (name: string, opts?: PeOptions) => PeKind;
}

export interface MulErrorRow {
  readonly kind: string;
  readonly input_rounding: string;
  readonly scaling: string;
  readonly mean_rel_error: number;
  readonly max_rel_error: number;
  /** mean signed relative error (r - p) / p: negative means the result's magnitude reads low */
  readonly mean_bias: number;
  /** samples whose result was NaN or infinite (excluded from the means) */
  readonly non_finite: number;
}

export interface PrecisionClaim {
  readonly claim: string;
  readonly lhs: string;
  readonly rhs: string;
  readonly lhs_error: number;
  readonly rhs_error: number;
  /** the relation the claim states: lhs <= rhs * (1 + margin) */
  readonly margin: number;
  readonly holds: boolean;
}

export interface PrecisionReport {
  readonly samples: number;
  readonly dist: SampleDistribution;
  readonly seed: number;
  readonly rows: readonly MulErrorRow[];
  readonly claims: readonly PrecisionClaim[];
}

type Scaling = 'none' | 'maxabs' | 'meanabs' | 'twn';

interface Variant {
  readonly label: string;
  readonly pe: PeKind;
}

function scalingOf(pe: PeKind, operand: 'input' | 'weight'): Scaling {
  const f = operand === 'input' ? pe.input : pe.weight;
  switch (f.kind) {
    case 'float':
      return 'none';
    case 'int':
      return 'maxabs';
    case 'binary':
      return 'meanabs';
    case 'ternary':
      return 'twn';
    case 'exp':
    case 'block':
      // block formats have their own rows (blockMulRows): a product needs whole blocks
      throw new Error(`${f.name}: no per-element scaling for this operand format`);
  }
}

/** scale s such that value ~ s * code for the operand's format */
function scaleFor(kind: Scaling, values: Float64Array, maxCode: number): number {
  let sumAbs = 0, maxAbs = 0;
  for (const v of values) {
    const a = Math.abs(v);
    sumAbs += a;
    if (a > maxAbs) maxAbs = a;
  }
  const meanAbs = sumAbs / values.length;
  if (kind === 'maxabs') return maxAbs / maxCode || 1;
  if (kind === 'meanabs') return meanAbs || 1;
  if (kind === 'twn') {
    // Ternary weight networks: threshold 0.7 * mean|w|, scale = mean |w| above it
    const t = 0.7 * meanAbs;
    let s = 0, n = 0;
    for (const v of values) if (Math.abs(v) > t) { s += Math.abs(v); n++; }
    return n > 0 ? s / n : 1;
  }
  return 1;
}

function quantizeWithScale(pe: PeKind, operand: 'input' | 'weight', values: Float64Array): { bits: Uint32Array; scale: number; scaling: Scaling } {
  const f = operand === 'input' ? pe.input : pe.weight;
  const scaling = scalingOf(pe, operand);
  const maxCode = f.kind === 'int' ? f.max : 1;
  const scale = scaleFor(scaling, values, maxCode);
  const q = operand === 'input' ? pe.quantizeInput : pe.quantizeWeight;
  const bits = new Uint32Array(values.length);
  if (scaling === 'twn') {
    const t = 0.7 * (values.reduce((s, v) => s + Math.abs(v), 0) / values.length);
    for (let i = 0; i < values.length; i++) bits[i] = q(Math.abs(values[i]) > t ? Math.sign(values[i]) : 0);
  } else {
    for (let i = 0; i < values.length; i++) bits[i] = q(values[i] / scale);
  }
  return { bits, scale, scaling };
}

function sample(opts: PrecisionOptions): { x: Float64Array; y: Float64Array } {
  const rng = makeRng(opts.seed);
  const [lo, hi] = opts.logRange ?? [-4, 4];
  const x = new Float64Array(opts.samples), y = new Float64Array(opts.samples);
  const draw = () => {
    if (opts.dist === 'normal') {
      let v = 0;
      while (v === 0) v = rng.normal();
      return v;
    }
    const mag = 2 ** (lo + (hi - lo) * rng.next());
    return rng.next() < 0.5 ? -mag : mag;
  };
  for (let i = 0; i < opts.samples; i++) {
    x[i] = draw();
    y[i] = draw();
  }
  return { x, y };
}

export function mulErrorRow(label: string, pe: PeKind, x: Float64Array, y: Float64Array): MulErrorRow {
  const qa = quantizeWithScale(pe, 'input', x);
  const qb = quantizeWithScale(pe, 'weight', y);
  const scale = qa.scale * qb.scale;
  const scaling = qa.scaling === qb.scaling ? qa.scaling : `${qa.scaling}/${qb.scaling}`;
  return errorRow(label, pe.inputRounding, scaling, x, y, (i) => decode(pe.product, pe.mul(qa.bits[i], qb.bits[i])) * scale);
}

/** The statistics of results r(i) against the exact products x[i] * y[i]. */
export function errorRow(
  kind: string, inputRounding: string, scaling: string, x: Float64Array, y: Float64Array, result: (i: number) => number,
): MulErrorRow {
  let sum = 0, bias = 0, max = 0, n = 0, nonFinite = 0;
  for (let i = 0; i < x.length; i++) {
    const r = result(i);
    if (!Number.isFinite(r)) {
      nonFinite++;
      continue;
    }
    const p = x[i] * y[i];
    const e = (r - p) / Math.abs(p);
    sum += Math.abs(e);
    bias += p > 0 ? e : -e;
    if (Math.abs(e) > max) max = Math.abs(e);
    n++;
  }
  return {
    kind,
    input_rounding: inputRounding,
    scaling,
    mean_rel_error: n ? sum / n : NaN,
    max_rel_error: max,
    mean_bias: n ? bias / n : NaN,
    non_finite: nonFinite,
  };
}

/**
 * Rows for the block formats (MX, NVFP4): the sample sequence is quantized block by block
 * (consecutive samples share a block, as the elements along K of a GEMM do), and each
 * product of two dequantized elements is exact.
 */
export function blockMulRows(x: Float64Array, y: Float64Array): MulErrorRow[] {
  return blockFormats().map((f) => {
    const va = dequantizeBlocks(quantizeBlocks(f, x)), vb = dequantizeBlocks(quantizeBlocks(f, y));
    const scaling = f.kind === 'mx' ? `E8M0 per ${f.blockSize}` : `E4M3 per ${f.blockSize} + FP32 per tensor`;
    return errorRow(f.name, 'rne', scaling, x, y, (i) => va[i] * vb[i]);
  });
}

function variants(getPe: (name: string, opts?: PeOptions) => PeKind): Variant[] {
  const list: Variant[] = [];
  for (const name of ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-fp8-e4m3', 'lmul-m4', 'lmul-m3']) {
    list.push({ label: name, pe: getPe(name) });
  }
  list.push({ label: 'lmul-m4 (rne inputs)', pe: getPe('lmul-m4', { lmulRound: 'rne' }) });
  list.push({ label: 'lmul-m3 (rne inputs)', pe: getPe('lmul-m3', { lmulRound: 'rne' }) });
  for (const name of ['int8', 'int4', 'ternary', 'xnor']) list.push({ label: name, pe: getPe(name) });
  return list;
}

function claim(rows: readonly MulErrorRow[], text: string, lhs: string, rhs: string, margin: number): PrecisionClaim {
  const l = rows.find((r) => r.kind === lhs), r = rows.find((x) => x.kind === rhs);
  if (!l || !r) throw new Error(`claim ${text}: missing row`);
  return {
    claim: text,
    lhs,
    rhs,
    lhs_error: l.mean_rel_error,
    rhs_error: r.mean_rel_error,
    margin,
    holds: l.mean_rel_error <= r.mean_rel_error * (1 + margin),
  };
}

/** The L-Mul paper's claims (arXiv 2410.00907, abstract; docs/SOURCES.md), as inequalities with stated margins. */
export function lmulClaims(rows: readonly MulErrorRow[]): PrecisionClaim[] {
  return [
    claim(rows, 'L-Mul with a 4-bit mantissa is about as precise as an fp8 e4m3 multiply (within 10%)', 'lmul-m4', 'fp8-e4m3', 0.1),
    claim(rows, 'L-Mul with a 3-bit mantissa is more precise than an fp8 e5m2 multiply', 'lmul-m3', 'fp8-e5m2', 0),
    claim(rows, 'same, 4-bit L-Mul with round-to-nearest inputs vs e4m3 (within 10%)', 'lmul-m4 (rne inputs)', 'fp8-e4m3', 0.1),
    claim(rows, 'same, 3-bit L-Mul with round-to-nearest inputs vs e5m2', 'lmul-m3 (rne inputs)', 'fp8-e5m2', 0),
  ];
}

export function mulPrecision(opts: PrecisionOptions): PrecisionReport {
  const { x, y } = sample(opts);
  const rows = [...variants(opts.getPe ?? registryGetPe).map((v) => mulErrorRow(v.label, v.pe, x, y)), ...blockMulRows(x, y)];
  return { samples: opts.samples, dist: opts.dist, seed: opts.seed, rows, claims: lmulClaims(rows) };
}

