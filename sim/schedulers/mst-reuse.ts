/**
 * MST-compression reuse for binary layers ("MST-compression: Compressing and Accelerating
 * Binary Neural Networks with Minimum Spanning Tree"): output channel k is computed from an
 * already computed channel j plus XNOR work on only the weights where k and j differ.
 *
 * For +-1 weights w_k and w_j that differ on the positions D,
 *   out_k = sum_i a_i w_k,i = out_j + sum_{i in D} a_i (w_k,i - w_j,i) = out_j + 2 sum_{i in D} a_i w_k,i,
 * exact integer arithmetic, so the bits equal direct computation. The channels are ordered
 * by a tree over the Hamming-distance graph (mst-tree.ts: the minimum-depth MST, or the best
 * tree under a depth bound): the root is computed in full (n = K operations per output
 * pixel), every other channel from its parent over its edge's weight, so one output pixel of
 * the layer costs n + sum(edge weights) operations instead of N * n. The weights are stored
 * as mst-storage.ts chooses (never more bits than plainly).
 */
import { InputError } from '../errors.ts';
import { popcount32, wordsFor, xnorDot } from '../pe/xnor.ts';
import { mstStorage, type MstStorage } from './mst-storage.ts';
import type { ReuseTree } from './mst-tree.ts';

export { buildReuseTree, type ReuseTree } from './mst-tree.ts';

/** Hamming distances between every pair of channels' packed weights (N x N, row-major). */
export function hammingMatrix(weights: Uint32Array, channels: number, k: number): Int32Array {
  const words = wordsFor(k);
  if (weights.length < channels * words) {
    throw new InputError(`binary weights: expected ${channels} x ${words} packed words, got ${weights.length}`);
  }
  const d = new Int32Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let j = i + 1; j < channels; j++) {
      let h = 0;
      for (let w = 0; w < words; w++) h += popcount32(weights[i * words + w] ^ weights[j * words + w]);
      d[i * channels + j] = h;
      d[j * channels + i] = h;
    }
  }
  return d;
}

export interface MstStats {
  readonly channels: number;
  readonly k: number;
  /** operations per output pixel: direct N * K, with reuse K + sum(edge weights) */
  readonly direct_ops: number;
  readonly reuse_ops: number;
  readonly saving: number;
  readonly tree_depth: number;
  /** the tree's total distance (sum of its edges' Hamming distances) */
  readonly total_distance: number;
  /** weight storage at one bit per weight: direct N*K bits; reuse: the storage of mst-storage.ts */
  readonly direct_weight_bits: number;
  readonly reuse_weight_bits: number;
  readonly storage: MstStorage;
}

export function mstStats(tree: ReuseTree, channels: number, k: number): MstStats {
  const direct = channels * k;
  const reuse = k + tree.totalWeight;
  const storage = mstStorage(tree, channels, k, 1);
  return {
    channels,
    k,
    direct_ops: direct,
    reuse_ops: reuse,
    saving: 1 - reuse / direct,
    tree_depth: tree.maxDepth,
    total_distance: tree.totalWeight,
    direct_weight_bits: direct,
    reuse_weight_bits: storage.bits,
    storage,
  };
}

/**
 * Output of a binary layer for one packed activation vector, computed through the reuse
 * tree: the root directly, each child from its parent over the differing positions only.
 * Returns the +-1 dot products per channel and the operation count actually performed.
 */
export function reuseDot(
  tree: ReuseTree, weights: Uint32Array, act: Uint32Array, channels: number, k: number, out: Int32Array,
): number {
  const words = wordsFor(k);
  const root = tree.root;
  out[root] = xnorDot(act, 0, weights, root * words, k);
  let ops = k;
  for (let t = 1; t < channels; t++) {
    const c = tree.order[t];
    const p = tree.parent[c];
    let acc = out[p];
    for (let w = 0; w < words; w++) {
      let diff = weights[c * words + w] ^ weights[p * words + w];
      if (w === words - 1 && (k & 31) !== 0) diff &= (1 << (k & 31)) - 1;
      while (diff !== 0) {
        const bit = diff & -diff;
        const i = 31 - Math.clz32(bit);
        // a_i * w_c,i with bit 0 = +1, bit 1 = -1: the product is +1 when the bits agree
        const agree = ((act[w] >>> i) & 1) === ((weights[c * words + w] >>> i) & 1);
        acc += agree ? 2 : -2;
        ops++;
        diff ^= bit;
      }
    }
    out[c] = acc;
  }
  return ops;
}
