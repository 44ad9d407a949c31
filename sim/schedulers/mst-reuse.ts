/**
 * MST-compression reuse for binary layers ("MST-compression: Compressing and Accelerating
 * Binary Neural Networks with Minimum Spanning Tree"): output channel k is computed from an
 * already computed channel j plus XNOR work on only the weights where k and j differ.
 *
 * For +-1 weights w_k and w_j that differ on the positions D,
 *   out_k = sum_i a_i w_k,i = out_j + sum_{i in D} a_i (w_k,i - w_j,i) = out_j + 2 sum_{i in D} a_i w_k,i,
 * exact integer arithmetic, so the bits equal direct computation. The channels are ordered
 * by a minimum spanning tree of the Hamming-distance graph: the root is computed in full
 * (n = K operations per output pixel), every other channel from its parent over its edge's
 * weight, so one output pixel of the layer costs n + sum(edge weights) operations instead of
 * N * n. Among spanning trees of equal weight the construction prefers shallow ones (ties go
 * to the parent of least depth, and the tree is re-rooted at its centre), because each tree
 * level is one more dependent step on the array.
 */
import { InputError } from '../errors.ts';
import { popcount32, wordsFor, xnorDot } from '../pe/xnor.ts';

export interface ReuseTree {
  /** channels in the order they are computed (parents before children) */
  readonly order: Int32Array;
  /** parent of each channel, -1 for the root */
  readonly parent: Int32Array;
  /** Hamming distance to the parent (0 for the root) */
  readonly edgeWeight: Int32Array;
  readonly depth: Int32Array;
  readonly root: number;
  readonly maxDepth: number;
  /** sum of the edge weights */
  readonly totalWeight: number;
}

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

/** Prim's algorithm on the dense distance graph; equal weights go to the shallower parent. */
function prim(dist: Int32Array, n: number, start: number): Int32Array {
  const parent = new Int32Array(n).fill(-1);
  const best = new Float64Array(n).fill(Infinity);
  const bestDepth = new Int32Array(n);
  const depth = new Int32Array(n);
  const inTree = new Uint8Array(n);
  best[start] = 0;
  for (let step = 0; step < n; step++) {
    let u = -1;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      if (u < 0 || best[v] < best[u] || (best[v] === best[u] && bestDepth[v] < bestDepth[u])) u = v;
    }
    inTree[u] = 1;
    depth[u] = parent[u] < 0 ? 0 : depth[parent[u]] + 1;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      const w = dist[u * n + v];
      if (w < best[v] || (w === best[v] && depth[u] + 1 < bestDepth[v])) {
        best[v] = w;
        parent[v] = u;
        bestDepth[v] = depth[u] + 1;
      }
    }
  }
  return parent;
}

/** Re-roots a tree (given by parent links) at its centre: the node of least eccentricity. */
function center(parent: Int32Array, n: number): number {
  if (n <= 2) return 0;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    if (parent[v] >= 0) {
      adj[v].push(parent[v]);
      adj[parent[v]].push(v);
    }
  }
  // peel leaves layer by layer; the last one or two standing are the centre
  const degree = new Int32Array(n);
  let layer: number[] = [];
  for (let v = 0; v < n; v++) {
    degree[v] = adj[v].length;
    if (degree[v] <= 1) layer.push(v);
  }
  let remaining = n;
  while (remaining > 2) {
    remaining -= layer.length;
    const next: number[] = [];
    for (const v of layer) {
      for (const u of adj[v]) if (--degree[u] === 1) next.push(u);
    }
    layer = next;
  }
  return Math.min(...layer);
}

export function buildReuseTree(dist: Int32Array, n: number): ReuseTree {
  if (n < 1) throw new InputError('MST reuse needs at least one output channel');
  const first = prim(dist, n, 0);
  const root = center(first, n);
  const parent = prim(dist, n, root);
  // breadth-first order from the root: parents before children
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) if (parent[v] >= 0) children[parent[v]].push(v);
  const order = new Int32Array(n);
  const depth = new Int32Array(n);
  const edgeWeight = new Int32Array(n);
  let head = 0, tail = 0;
  order[tail++] = root;
  let maxDepth = 0, totalWeight = 0;
  while (head < tail) {
    const u = order[head++];
    for (const v of children[u]) {
      depth[v] = depth[u] + 1;
      edgeWeight[v] = dist[u * n + v];
      totalWeight += edgeWeight[v];
      if (depth[v] > maxDepth) maxDepth = depth[v];
      order[tail++] = v;
    }
  }
  return { order, parent, edgeWeight, depth, root, maxDepth, totalWeight };
}

export interface MstStats {
  readonly channels: number;
  readonly k: number;
  /** operations per output pixel: direct N * K, with reuse K + sum(edge weights) */
  readonly direct_ops: number;
  readonly reuse_ops: number;
  readonly saving: number;
  readonly tree_depth: number;
  /** weight storage: direct N*K bits; reuse: root K bits + per edge a count and its indices */
  readonly direct_weight_bits: number;
  readonly reuse_weight_bits: number;
}

export function mstStats(tree: ReuseTree, channels: number, k: number): MstStats {
  const indexBits = Math.max(1, Math.ceil(Math.log2(k)));
  const countBits = Math.max(1, Math.ceil(Math.log2(k + 1)));
  const direct = channels * k;
  const reuse = k + tree.totalWeight;
  return {
    channels,
    k,
    direct_ops: direct,
    reuse_ops: reuse,
    saving: 1 - reuse / direct,
    tree_depth: tree.maxDepth,
    direct_weight_bits: direct,
    reuse_weight_bits: k + (channels - 1) * (countBits + indexBits) + tree.totalWeight * indexBits,
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
