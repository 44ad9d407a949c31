/**
 * How far a tensor computed through a PE is from the fp32 reference executor's, and where in a
 * network the error jumps. Definitions (y: the PE's values, r: the reference's, over the
 * elements of one tensor):
 *
 *   max_abs    max |y - r|
 *   max_rel    max |y - r| / max |r|  (relative to the tensor's range, so that values near zero
 *              do not blow it up; the same figure the tests hold fp32 runs to, <= 1e-5)
 *   snr_db     10 log10(sum r^2 / sum (y - r)^2): Infinity when equal, -Infinity when r is all
 *              zeros and y is not
 *   cosine     sum y r / (|y| |r|)  (1 when both are all zeros)
 *   rel_rms    sqrt(sum (y - r)^2 / sum r^2) = 10^(-snr_db / 20)
 *   non_finite elements where y or r is NaN or infinite and they differ (then the other figures
 *              are NaN); non-finite elements equal in both (the -inf of a causal mask) agree and
 *              are left out of the sums
 *
 * The first node where the error jumps: a node *jumps* when its SNR is at least JUMP_DB (10 dB)
 * below the lowest SNR of the tensors it reads (its relative RMS error is >= sqrt(10) = 3.16x its
 * worst input's). Graph inputs and constants are exact (SNR +Infinity), so the first node whose
 * output differs at all from the reference always jumps; later jumps are nodes that amplify the
 * error they receive (a softmax of shifted logits, a norm of a small-variance tensor, a layer
 * whose products the PE rounds coarsely). `first_jump` is the first jumping node in the graph's
 * order; `largest_jump` the node with the largest drop among those whose inputs already carry
 * error (finite input SNR), i.e. where the network amplifies error most.
 */
import { hashPatterns } from '../../sim/precision-check/suite.ts';

export interface ErrorFigures {
  readonly max_abs: number;
  readonly max_rel: number;
  readonly snr_db: number;
  readonly cosine: number;
  readonly rel_rms: number;
  readonly non_finite: number;
}

/** drop in dB that counts as a jump */
export const JUMP_DB = 10;

export function errorFigures(y: Float32Array, r: Float32Array): ErrorFigures {
  if (y.length !== r.length) throw new Error(`error figures of tensors of ${y.length} and ${r.length} elements`);
  let maxAbs = 0, maxRef = 0, sig = 0, noise = 0, dot = 0, yy = 0, nonFinite = 0;
  for (let i = 0; i < y.length; i++) {
    const a = y[i], b = r[i];
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!(a === b || (a !== a && b !== b))) nonFinite++;
      continue;
    }
    const d = a - b;
    const ad = Math.abs(d), ab = Math.abs(b);
    if (ad > maxAbs) maxAbs = ad;
    if (ab > maxRef) maxRef = ab;
    sig += b * b;
    noise += d * d;
    dot += a * b;
    yy += a * a;
  }
  if (nonFinite > 0) return { max_abs: NaN, max_rel: NaN, snr_db: NaN, cosine: NaN, rel_rms: NaN, non_finite: nonFinite };
  const snr = noise === 0 ? Infinity : sig === 0 ? -Infinity : 10 * Math.log10(sig / noise);
  return {
    max_abs: maxAbs,
    max_rel: maxAbs === 0 ? 0 : maxRef === 0 ? Infinity : maxAbs / maxRef,
    snr_db: snr,
    cosine: sig === 0 && yy === 0 ? 1 : sig === 0 || yy === 0 ? 0 : dot / Math.sqrt(sig * yy),
    rel_rms: noise === 0 ? 0 : sig === 0 ? Infinity : Math.sqrt(noise / sig),
    non_finite: 0,
  };
}

/** sha256 of a tensor's fp32 bit patterns, first 16 hex digits: equal hashes, equal bits */
export function tensorHash(v: Float32Array): string {
  return hashPatterns(v);
}

export interface NodeError {
  readonly node: string;
  readonly op: string;
  readonly output: string;
  readonly shape: readonly number[];
  readonly figures: ErrorFigures;
  /** lowest SNR among the tensors the node reads (+Infinity: all exact) */
  readonly input_snr_db: number;
  /** input_snr_db - snr_db (NaN when either is not finite in a way that makes it meaningless) */
  readonly drop_db: number;
  readonly jumps: boolean;
}

export interface Jump {
  readonly node: string;
  readonly op: string;
  readonly input_snr_db: number;
  readonly snr_db: number;
}

/** A node's SNR drop and verdict, given the SNRs of what it reads (graph inputs and constants absent: exact). */
export function nodeJump(snr: number, inputSnrs: readonly number[]): { input_snr_db: number; drop_db: number; jumps: boolean } {
  const input = inputSnrs.length === 0 ? Infinity : Math.min(...inputSnrs);
  if (Number.isNaN(snr)) return { input_snr_db: input, drop_db: NaN, jumps: !Number.isNaN(input) };
  if (snr === Infinity) return { input_snr_db: input, drop_db: input === Infinity ? 0 : -Infinity, jumps: false };
  // an exact input and an inexact output: a jump of unbounded size
  const drop = input - snr;
  return { input_snr_db: input, drop_db: drop, jumps: drop >= JUMP_DB };
}

export function firstJump(nodes: readonly NodeError[]): Jump | undefined {
  const n = nodes.find((x) => x.jumps);
  return n && { node: n.node, op: n.op, input_snr_db: n.input_snr_db, snr_db: n.figures.snr_db };
}

export function largestJump(nodes: readonly NodeError[]): Jump | undefined {
  let best: NodeError | undefined;
  for (const x of nodes) {
    if (!Number.isFinite(x.input_snr_db) || !Number.isFinite(x.drop_db) || !x.jumps) continue;
    if (!best || x.drop_db > best.drop_db) best = x;
  }
  return best && { node: best.node, op: best.op, input_snr_db: best.input_snr_db, snr_db: best.figures.snr_db };
}
