/**
 * MST reuse of one binary layer on the array (`bitweave run --reuse mst`): where the layer's
 * +-1 weights come from, the reuse tree over its output channels (mst-reuse.ts), and what the
 * schedule changes in the layer's counts.
 *
 * Weights. The tree is built from the layer's own weights: a model with weights (an ONNX
 * file; signs of its conv / linear initializers, 0 counting as +1) gives them in the GEMM's
 * B layout (K x N); otherwise (a zoo model, a topology CSV, a GEMM) seeded random +-1
 * weights, one independent stream per layer (seed, layer index), are used and the result
 * says `weights: 'random'`. Random rows differ in about half their positions, so the saving
 * on them is close to the 50% any pairing gives; trained (correlated) weights save more.
 *
 * Counts (per instance of the layer; `repeat` scales them like every other count):
 *  - operations: M x (K + sum of edge weights) instead of M x N x K MACs; one reuse operation
 *    (XNOR of one differing position, add +-2) costs a PE what one XNOR MAC costs.
 *  - compute cycles: the streamed part of every fold shrinks with the operations,
 *    folds x T x (reuse ops / direct ops), ideally balanced over the array (optimistic: a
 *    real schedule pays the imbalance between channels' difference lists); every fold keeps
 *    its fill and drain O (os: R + C - 2, ws/is: 2R + C - 2); and each tree level adds one
 *    dependent step: a child needs its parent's finished output, which leaves the array after
 *    a drain, so depth x O cycles are exposed once per layer (pixel groups pipeline behind
 *    each other, so the dependency is not paid again per group). The depth is the tree's
 *    (mst-tree.ts: the minimum-depth MST, or `--mst-depth D`'s bound, which buys fewer
 *    exposed levels with more operations).
 *  - weight storage: mst-storage.ts at the run's weight word: the root's K words, and per
 *    child a flag and the cheaper of its difference list (count + ceil(log2 K)-bit indices)
 *    and its K words; the layer falls back to plain storage when that is not smaller. The
 *    layer's weight word becomes (storage bits / (N K)) bits, so the filter buffer's
 *    footprint, its DRAM bytes (and the stalls they cause) and its SRAM reads change by the
 *    same ratio, which is at most 1: MST never moves more weight bytes than plain storage.
 *  - partial sums: each child reads its parent's output back from the ofmap buffer:
 *    M x (N - 1) extra ofmap reads.
 */
import { InputError } from '../errors.ts';
import { makeRng } from '../random.ts';
import { wordsFor } from '../pe/xnor.ts';
import { buildReuseTree, hammingMatrix, mstStats, type MstStats, type ReuseTree } from './mst-reuse.ts';
import { mstStorage, type MstStorage } from './mst-storage.ts';
import type { Mapping } from '../dataflows/mapping.ts';

export type MstWeightSource = 'model' | 'random';

export interface MstPlan {
  readonly tree: ReuseTree;
  readonly stats: MstStats;
  /** per channel, packed +-1 weights (bit 1 = -1), wordsFor(K) words each */
  readonly packed: Uint32Array;
  readonly source: MstWeightSource;
}

/** Packs the columns of a K x N row-major B matrix by sign: channel n = column n. */
export function packColumns(b: ArrayLike<number>, k: number, n: number, negative: (v: number) => boolean): Uint32Array {
  const words = wordsFor(k);
  const out = new Uint32Array(n * words);
  for (let i = 0; i < k; i++) {
    const row = i * n;
    for (let c = 0; c < n; c++) if (negative(b[row + c])) out[c * words + (i >>> 5)] |= 1 << (i & 31);
  }
  return out;
}

/** Seeded random +-1 weights for N channels of K (padding bits zero). */
export function randomPacked(seed: number, channels: number, k: number): Uint32Array {
  const rng = makeRng(seed);
  const words = wordsFor(k);
  const out = new Uint32Array(channels * words);
  for (let c = 0; c < channels; c++) {
    for (let w = 0; w < words; w++) {
      const bits = Math.min(32, k - 32 * w);
      let v = (rng.next() * 4294967296) >>> 0;
      if (bits < 32) v &= (1 << bits) - 1;
      out[c * words + w] = v >>> 0;
    }
  }
  return out;
}

/**
 * K x N +-1 weights whose channels are noisy copies of three prototypes (each weight of a
 * prototype flipped with probability `flip`): channels as correlated as a trained layer's can be.
 */
export function correlatedWeights(seed: number, k: number, n: number, flip: number): Float32Array {
  const rng = makeRng(seed);
  const protos = Array.from({ length: 3 }, () => Array.from({ length: k }, () => (rng.next() < 0.5 ? -1 : 1)));
  const w = new Float32Array(k * n);
  for (let c = 0; c < n; c++) {
    const p = protos[rng.int(3)];
    for (let i = 0; i < k; i++) w[i * n + c] = rng.next() < flip ? -p[i] : p[i];
  }
  return w;
}

/** The seed of a layer's random weights: independent of the functional operands' stream. */
export function layerWeightSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

/**
 * The most output channels a layer may have for MST reuse: the tree is built on the dense
 * N x N distance matrix and sorted neighbour lists (8 bytes per pair: 128 MB at 4096).
 */
export const MST_MAX_CHANNELS = 4096;

export function planMst(
  packed: Uint32Array, channels: number, k: number, source: MstWeightSource, maxDepth?: number,
): MstPlan {
  if (channels > MST_MAX_CHANNELS) throw new InputError(`MST reuse: ${channels} output channels, at most ${MST_MAX_CHANNELS}`);
  const tree = buildReuseTree(hammingMatrix(packed, channels, k), channels, maxDepth);
  return { tree, stats: mstStats(tree, channels, k), packed, source };
}

/** Weight storage with the run's weight word (`wordBits` per weight): mst-storage.ts's choice. */
export function mstWeightStorage(plan: MstPlan, wordBits: number): MstStorage {
  return mstStorage(plan.tree, plan.stats.channels, plan.stats.k, wordBits);
}

/** Fill + drain cycles of one fold (what a fold costs beyond its streamed extent T). */
export function foldOverhead(mp: Mapping): number {
  return mp.foldCycles - mp.t;
}

/** Compute cycles of the reuse schedule (see the header). */
export function mstComputeCycles(mp: Mapping, stats: MstStats): number {
  const o = foldOverhead(mp);
  const ratio = stats.reuse_ops / stats.direct_ops;
  return mp.folds * o + Math.ceil(mp.folds * mp.t * ratio) + stats.tree_depth * o;
}
