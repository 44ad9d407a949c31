/**
 * How an MST-reused layer's weights are stored, chosen so that it never takes more bits than
 * storing the weights plainly.
 *
 * Plain storage is N x K words of `wordBits` each. Under the reuse tree the root channel is
 * stored plainly (K words) and every other channel as the cheaper of
 *  - a difference list against its parent: a count (ceil(log2(K + 1)) bits) and the indices of
 *    the differing positions (ceil(log2 K) bits each), or
 *  - its K plain words,
 * plus one flag bit saying which. A difference list pays only when the channel differs from its
 * parent in fewer than about K / log2 K positions (on random +-1 weights they differ in nearly
 * half). If even the per-channel choice (with its flags) would not be smaller than plain
 * storage, the whole layer is stored plainly: the layer's format is one setting of the layer
 * (like its shape), not weight data. So the stored bits are at most N x K x wordBits on any
 * weights.
 *
 * The compute reuse does not depend on the storage: a plainly stored child is still computed
 * from its parent; the decoder finds the differing positions by XOR with the parent's (already
 * decoded) weights. That decoder's area and energy are not modelled, like the rest of MST's
 * control.
 *
 * Because list size grows with the edge's distance, and the choice min(list, plain) is a
 * non-decreasing function of it, a minimum spanning tree of the distances is also a tree of
 * least storage (Kruskal's order is unchanged by a non-decreasing transform of the weights).
 */
import type { ReuseTree } from './mst-tree.ts';

export type MstStorageFormat = 'mst' | 'direct';

export interface MstStorage {
  /** 'mst': root plus one flagged entry per child; 'direct': the layer stored plainly */
  readonly format: MstStorageFormat;
  /** bits stored for the layer's weights (the chosen format) */
  readonly bits: number;
  /** plain storage: N x K x wordBits */
  readonly direct_bits: number;
  /** the per-child choice with its flags, whether or not it was chosen for the layer */
  readonly tree_bits: number;
  /** children stored as difference lists / plainly (under the 'mst' format) */
  readonly children_list: number;
  readonly children_plain: number;
  /** one flag per child under the 'mst' format, 0 under 'direct' */
  readonly flag_bits: number;
}

export function indexBits(k: number): number {
  return Math.max(1, Math.ceil(Math.log2(k)));
}

export function countBits(k: number): number {
  return Math.max(1, Math.ceil(Math.log2(k + 1)));
}

/** Bits of a difference list of `d` positions for a channel of K weights. */
export function listBits(d: number, k: number): number {
  return countBits(k) + d * indexBits(k);
}

export function mstStorage(tree: ReuseTree, channels: number, k: number, wordBits: number): MstStorage {
  if (!(wordBits > 0)) throw new Error(`weight word of ${wordBits} bits`);
  const plain = k * wordBits;
  const direct = channels * plain;
  let bits = plain; // the root
  let lists = 0;
  for (let c = 0; c < channels; c++) {
    if (c === tree.root) continue;
    const list = listBits(tree.edgeWeight[c], k);
    if (list < plain) {
      bits += 1 + list;
      lists++;
    } else {
      bits += 1 + plain;
    }
  }
  const useTree = bits < direct;
  return {
    format: useTree ? 'mst' : 'direct',
    bits: useTree ? bits : direct,
    direct_bits: direct,
    tree_bits: bits,
    children_list: useTree ? lists : 0,
    children_plain: useTree ? channels - 1 - lists : channels - 1,
    flag_bits: useTree ? channels - 1 : 0,
  };
}
