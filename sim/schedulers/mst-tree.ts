/**
 * The reuse tree of MST-compression: which output channel is computed from which.
 *
 * A child channel costs the array `dist(parent, child)` operations per output pixel and waits
 * for its parent's finished output, so a tree trades two things: its total distance (the
 * operations, and the difference lists' size) and its depth (each level is one more dependent
 * fill and drain on the array). The paper ("MST-compression: Compressing and Accelerating
 * Binary Neural Networks with Minimum Spanning Tree", Vo et al., ICCV 2023) reorders the
 * channels by "the MST of the graph with the minimum depth". A star (depth 1) is always a
 * spanning tree, so "minimum depth" alone would give up the compression; we read the objective
 * as lexicographic, compression first:
 *
 *   default      minimise the total distance (a minimum spanning tree: no operation is given
 *                up), and among minimum spanning trees and their roots, the smallest depth;
 *   bound D      minimise the total distance over rooted spanning trees of depth <= D
 *                (`--mst-depth D`), then the depth.
 *
 * The default's total distance is exact (Prim's algorithm); its depth is the smallest depth at
 * which the bounded search below still finds a tree of the minimum total. The bounded problem
 * (the hop-constrained MST) is NP-hard in general, so for D below the default's depth we use a
 * heuristic: a depth-limited Prim's algorithm from each candidate root, then a local search that
 * re-hangs subtrees on cheaper (or equally cheap and shallower) parents while the bound holds.
 * D = 1 (a star) is solved exactly: the root with the least total distance to every other
 * channel. test/schedulers/mst-tree.test.ts holds all of this against brute force over every
 * rooted spanning tree of small graphs and reports how often the heuristic is optimal.
 */
import { InputError } from '../errors.ts';

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

/** The distance graph, with every node's neighbours sorted nearest first (ties: lower index). */
interface Graph {
  readonly dist: Int32Array;
  readonly n: number;
  /** row v: the n - 1 other nodes by increasing distance from v */
  readonly nbr: Int32Array;
}

function graphOf(dist: Int32Array, n: number): Graph {
  if (dist.length < n * n) throw new Error(`reuse tree: distance matrix has ${dist.length} entries, need ${n} x ${n}`);
  const nbr = new Int32Array(n * Math.max(0, n - 1));
  const row: number[] = [];
  for (let v = 0; v < n; v++) {
    row.length = 0;
    for (let u = 0; u < n; u++) if (u !== v) row.push(u);
    row.sort((a, b) => dist[v * n + a] - dist[v * n + b] || a - b);
    nbr.set(row, v * (n - 1));
  }
  return { dist, n, nbr };
}

/**
 * Effort of the bounded search: every channel is tried as the root, and every shallower
 * node as a lift's new parent, up to this many channels; above it, CANDIDATE_ROOTS central
 * roots and as many medoids, and lifts onto the cheapest shallower node or the root.
 */
const EXHAUSTIVE_UP_TO = 16;
const CANDIDATE_ROOTS = 4;

/** The tree given by parent links: breadth-first order from the root, depths, edge weights. */
export function treeFromParents(dist: Int32Array, n: number, parent: Int32Array, root: number): ReuseTree {
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
  if (tail !== n) throw new Error(`reuse tree: ${n - tail} channel(s) unreachable from the root`);
  return { order, parent: Int32Array.from(parent), edgeWeight, depth, root, maxDepth, totalWeight };
}

/**
 * Prim's algorithm from `root` where only channels of depth < `bound` may take children.
 * Equal distances go to the shallower parent, then to the lower index. With an unlimited
 * bound this is a minimum spanning tree.
 */
function boundedPrim(dist: Int32Array, n: number, root: number, bound: number): Int32Array {
  const parent = new Int32Array(n).fill(-1);
  const best = new Float64Array(n).fill(Infinity);
  const via = new Int32Array(n).fill(-1);
  const viaDepth = new Int32Array(n);
  const depth = new Int32Array(n);
  const inTree = new Uint8Array(n);
  best[root] = 0;
  for (let step = 0; step < n; step++) {
    let u = -1;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      if (u < 0 || best[v] < best[u] || (best[v] === best[u] && viaDepth[v] < viaDepth[u])) u = v;
    }
    inTree[u] = 1;
    parent[u] = via[u];
    depth[u] = via[u] < 0 ? 0 : depth[via[u]] + 1;
    if (depth[u] >= bound) continue;
    for (let v = 0; v < n; v++) {
      if (inTree[v]) continue;
      const w = dist[u * n + v];
      if (w < best[v] || (w === best[v] && depth[u] < viaDepth[v])) {
        best[v] = w;
        via[v] = u;
        viaDepth[v] = depth[u];
      }
    }
  }
  return parent;
}

interface Layout {
  depth: Int32Array;
  /** height of the subtree below each node (0 for a leaf) */
  height: Int32Array;
  /** preorder interval: u is in v's subtree iff tin[v] <= tin[u] < tout[v] */
  tin: Int32Array;
  tout: Int32Array;
}

function layout(n: number, parent: Int32Array, root: number): Layout {
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  for (let v = n - 1; v >= 0; v--) {
    if (parent[v] >= 0) {
      next[v] = head[parent[v]];
      head[parent[v]] = v;
    }
  }
  const depth = new Int32Array(n), height = new Int32Array(n), tin = new Int32Array(n), tout = new Int32Array(n);
  // iterative preorder: a node's interval closes once its last child's has
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  let sp = 0, clock = 0;
  stack[sp++] = root;
  tin[root] = clock++;
  cursor[root] = head[root];
  while (sp > 0) {
    const v = stack[sp - 1];
    const c = cursor[v];
    if (c >= 0) {
      cursor[v] = next[c];
      depth[c] = depth[v] + 1;
      tin[c] = clock++;
      cursor[c] = head[c];
      stack[sp++] = c;
    } else {
      tout[v] = clock;
      sp--;
      if (parent[v] >= 0 && height[v] + 1 > height[parent[v]]) height[parent[v]] = height[v] + 1;
    }
  }
  return { depth, height, tin, tout };
}

/**
 * Local search: re-hang a node (with its subtree) on another parent that is cheaper, or as
 * cheap and shallower, as long as the subtree still ends within `bound`. Every move lowers
 * (total distance, sum of depths) lexicographically, so it terminates.
 */
function improve(g: Graph, parent: Int32Array, root: number, bound: number): void {
  const { dist, n, nbr } = g;
  const m = n - 1;
  let lay = layout(n, parent, root);
  let moved = true;
  while (moved) {
    moved = false;
    for (let v = 0; v < n; v++) {
      if (v === root) continue;
      const p = parent[v];
      let bu = -1, bw = dist[p * n + v], bd = lay.depth[p];
      const reach = bound - 1 - lay.height[v];
      const lo = lay.tin[v], hi = lay.tout[v];
      // nearest first: nothing past the best distance so far can be better
      for (let i = v * m, end = i + m; i < end; i++) {
        const u = nbr[i];
        const w = dist[u * n + v];
        if (w > bw) break;
        if (u === p || lay.depth[u] > reach) continue;
        const t = lay.tin[u];
        if (t >= lo && t < hi) continue; // u is below v
        if (w < bw || lay.depth[u] < bd) {
          bu = u;
          bw = w;
          bd = lay.depth[u];
        }
      }
      if (bu >= 0) {
        parent[v] = bu;
        lay = layout(n, parent, root);
        moved = true;
      }
    }
  }
}

/**
 * One pass of compound moves that single re-hangs cannot find: lift a node v onto the cheapest
 * strictly shallower parent u (which may cost more by itself), and in the same move re-hang
 * under v every node that becomes cheaper there and still fits the bound. Applied when the
 * whole move lowers the total. (For D = 2 this opens a new hub of a facility-location
 * problem.) Returns whether anything moved.
 */
function lift(g: Graph, parent: Int32Array, root: number, bound: number): boolean {
  const { dist, n, nbr } = g;
  const m = n - 1;
  let lay = layout(n, parent, root);
  // each node's distance to its parent; a node gains under v only if v is nearer than that
  const cur = new Int32Array(n);
  let farthest = 0;
  const refresh = (): void => {
    farthest = 0;
    for (let w = 0; w < n; w++) {
      cur[w] = w === root ? 0 : dist[parent[w] * n + w];
      if (cur[w] > farthest) farthest = cur[w];
    }
  };
  refresh();
  // the total gain of re-hanging under v (hung from u) every node that is nearer to v than
  // to its parent, is not below v already, is not u or above it, and still fits the bound
  const gainUnder = (v: number, u: number, apply: boolean): number => {
    let gain = 0;
    const lo = lay.tin[v], hi = lay.tout[v], tu = lay.tin[u];
    const reach = bound - 2 - lay.depth[u];
    for (let i = v * m, end = i + m; i < end; i++) {
      const w = nbr[i];
      const d = dist[v * n + w];
      if (d >= farthest) break;
      if (d >= cur[w] || w === root) continue;
      const t = lay.tin[w];
      if ((t >= lo && t < hi) || (t <= tu && tu < lay.tout[w]) || lay.height[w] > reach) continue;
      gain += d - cur[w];
      if (apply) parent[w] = v;
    }
    return gain;
  };
  let any = false;
  for (let v = 0; v < n; v++) {
    if (v === root) continue;
    const p = parent[v];
    const dp = lay.depth[p];
    if (dp === 0) continue;
    // new parents: every strictly shallower node on small layers, else the nearest one and
    // the root (a strictly shallower node is never in v's subtree)
    let bestU = -1, bestDelta = 0;
    const consider = (u: number): void => {
      const delta = dist[u * n + v] - dist[p * n + v] + gainUnder(v, u, false);
      if (delta < bestDelta) {
        bestDelta = delta;
        bestU = u;
      }
    };
    if (n <= EXHAUSTIVE_UP_TO) {
      for (let u = 0; u < n; u++) if (lay.depth[u] < dp) consider(u);
    } else {
      for (let i = v * m, end = i + m; i < end; i++) {
        if (lay.depth[nbr[i]] < dp) {
          consider(nbr[i]);
          break;
        }
      }
      consider(root);
    }
    if (bestU < 0) continue;
    gainUnder(v, bestU, true);
    parent[v] = bestU;
    lay = layout(n, parent, root);
    refresh();
    any = true;
  }
  return any;
}

/** Prim's tree re-rooted at its centre (the node of least eccentricity), as a start. */
function centre(parent: Int32Array, n: number): number {
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

function better(a: ReuseTree, b: ReuseTree | undefined): boolean {
  if (b === undefined) return true;
  if (a.totalWeight !== b.totalWeight) return a.totalWeight < b.totalWeight;
  if (a.maxDepth !== b.maxDepth) return a.maxDepth < b.maxDepth;
  return a.root < b.root;
}

/** Roots worth trying: every channel for small layers; else central ones of the reference tree and medoids. */
function candidateRoots(dist: Int32Array, n: number, ref: ReuseTree): number[] {
  if (n <= EXHAUSTIVE_UP_TO) return Array.from({ length: n }, (_, i) => i);
  // eccentricity in hops within the reference tree (a breadth-first search from each node)
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    if (ref.parent[v] >= 0) {
      adj[v].push(ref.parent[v]);
      adj[ref.parent[v]].push(v);
    }
  }
  const ecc = new Int32Array(n);
  const seen = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const hops = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let head = 0, tail = 0, far = 0;
    queue[tail++] = s;
    seen[s] = s;
    hops[s] = 0;
    while (head < tail) {
      const u = queue[head++];
      if (hops[u] > far) far = hops[u];
      for (const v of adj[u]) {
        if (seen[v] !== s) {
          seen[v] = s;
          hops[v] = hops[u] + 1;
          queue[tail++] = v;
        }
      }
    }
    ecc[s] = far;
  }
  const rowSum = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rowSum[i] += dist[i * n + j];
  const byEcc = Array.from({ length: n }, (_, i) => i).sort((a, b) => ecc[a] - ecc[b] || rowSum[a] - rowSum[b] || a - b);
  const bySum = Array.from({ length: n }, (_, i) => i).sort((a, b) => rowSum[a] - rowSum[b] || a - b);
  return [...new Set([...byEcc.slice(0, CANDIDATE_ROOTS), ...bySum.slice(0, CANDIDATE_ROOTS)])].sort((a, b) => a - b);
}

/** The best star (depth 1): the root with the least total distance to all others. Exact. */
function bestStar(dist: Int32Array, n: number): ReuseTree {
  let root = 0, best = Infinity;
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += dist[r * n + j];
    if (s < best) {
      best = s;
      root = r;
    }
  }
  const parent = new Int32Array(n).fill(root);
  parent[root] = -1;
  return treeFromParents(dist, n, parent, root);
}

/**
 * Heuristic least-total tree of depth <= bound over the given roots; stops at the first tree
 * whose total is `enough` (the MST's, when searching for the minimum depth).
 */
function boundedSearch(g: Graph, bound: number, roots: readonly number[], enough = -1): ReuseTree {
  const { dist, n } = g;
  if (bound === 1) return bestStar(dist, n);
  let best: ReuseTree | undefined;
  for (const r of roots) {
    const parent = boundedPrim(dist, n, r, bound);
    do improve(g, parent, r, bound);
    while (lift(g, parent, r, bound));
    const t = treeFromParents(dist, n, parent, r);
    if (better(t, best)) best = t;
    if (t.totalWeight <= enough) break;
  }
  if (best === undefined) throw new Error('reuse tree: no root to try');
  return best;
}

/** A minimum spanning tree, shallow among equal weights, rooted at its centre. */
function shallowMst(g: Graph): ReuseTree {
  const { dist, n } = g;
  const root = centre(boundedPrim(dist, n, 0, Infinity), n);
  const parent = boundedPrim(dist, n, root, Infinity);
  improve(g, parent, root, Infinity);
  return treeFromParents(dist, n, parent, root);
}

/**
 * The default tree: minimum total distance (exact), then the least depth the bounded search
 * reaches without giving up any of it (bounds tried downwards until one fails).
 */
function minDepthMst(g: Graph): { tree: ReuseTree; roots: number[] } {
  let tree = shallowMst(g);
  const roots = candidateRoots(g.dist, g.n, tree);
  for (let d = tree.maxDepth - 1; d >= 1; d = tree.maxDepth - 1) {
    const t = boundedSearch(g, d, roots, tree.totalWeight);
    if (t.totalWeight !== tree.totalWeight) break;
    tree = t;
  }
  return { tree, roots };
}

/**
 * The reuse tree: with no bound, the minimum-depth MST (the paper's objective, see the header);
 * with a depth bound D >= 1, the least total distance found among trees of depth <= D.
 */
export function buildReuseTree(dist: Int32Array, n: number, maxDepth?: number): ReuseTree {
  if (n < 1) throw new InputError('MST reuse needs at least one output channel');
  if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 1)) {
    throw new InputError(`MST depth bound must be an integer >= 1, got ${maxDepth}`);
  }
  const g = graphOf(dist, n);
  const { tree, roots } = minDepthMst(g);
  if (maxDepth === undefined || tree.maxDepth <= maxDepth) return tree;
  return boundedSearch(g, maxDepth, roots);
}
