/**
 * The reuse tree (sim/schedulers/mst-tree.ts) against brute force: every labelled spanning
 * tree of a small graph (Cayley: n^(n-2) of them, enumerated from Pruefer sequences here) with
 * every root gives the least total distance at each depth bound and, among minimum spanning
 * trees, the least depth. The default tree must reach the minimum total exactly; a bounded
 * tree must respect its bound; how often the heuristic reaches the optimum is measured.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReuseTree, type ReuseTree } from '../../sim/schedulers/mst-tree.ts';
import { hammingMatrix } from '../../sim/schedulers/mst-reuse.ts';
import { makeRng, type Rng } from '../../sim/random.ts';

/** Every labelled tree on n nodes as an edge list (Pruefer decoding). */
function allTrees(n: number): [number, number][][] {
  if (n === 1) return [[]];
  if (n === 2) return [[[0, 1]]];
  const out: [number, number][][] = [];
  const seq = new Array<number>(n - 2).fill(0);
  for (;;) {
    const degree = new Array<number>(n).fill(1);
    for (const s of seq) degree[s]++;
    const edges: [number, number][] = [];
    for (const s of seq) {
      const leaf = degree.findIndex((d) => d === 1);
      edges.push([leaf, s]);
      degree[leaf]--;
      degree[s]--;
    }
    const rest = degree.flatMap((d, i) => (d === 1 ? [i] : []));
    edges.push([rest[0], rest[1]]);
    out.push(edges);
    let i = n - 3;
    while (i >= 0 && seq[i] === n - 1) seq[i--] = 0;
    if (i < 0) break;
    seq[i]++;
  }
  return out;
}

/** Brute force over (tree, root): least total per depth bound, and least depth among MSTs. */
function bruteForce(dist: Int32Array, n: number): { best: number[]; mst: number; mstDepth: number } {
  const best = new Array<number>(n).fill(Infinity); // best[D] for D = 1..n-1 (index 0 unused)
  let mst = Infinity, mstDepth = Infinity;
  for (const edges of allTrees(n)) {
    const adj: number[][] = Array.from({ length: n }, () => []);
    let total = 0;
    for (const [a, b] of edges) {
      adj[a].push(b);
      adj[b].push(a);
      total += dist[a * n + b];
    }
    for (let r = 0; r < n; r++) {
      // the depth from root r: the tree's eccentricity of r
      const hops = new Array<number>(n).fill(-1);
      hops[r] = 0;
      const queue = [r];
      for (let q = 0; q < queue.length; q++) for (const v of adj[queue[q]]) if (hops[v] < 0) queue.push(v), (hops[v] = hops[queue[q]] + 1);
      const depth = Math.max(...hops);
      for (let d = Math.max(1, depth); d < n; d++) best[d] = Math.min(best[d], total);
      if (total < mst || (total === mst && depth < mstDepth)) {
        mst = total;
        mstDepth = depth;
      }
    }
  }
  return { best, mst, mstDepth: n === 1 ? 0 : mstDepth };
}

/**
 * Exact least total per depth bound by dynamic programming over subsets (n <= 12):
 * f_d(v, S) = least cost of a tree rooted at v spanning S + {v} with height <= d, split on the
 * subtree A (a subset of S holding S's lowest member) hanging from v through one child u of A.
 */
function exactByDp(dist: Int32Array, n: number): number[] {
  const full = (1 << n) - 1;
  const size = 1 << n;
  let prev = Array.from({ length: n }, () => new Float64Array(size).fill(Infinity));
  for (let v = 0; v < n; v++) prev[v][0] = 0;
  const best = new Array<number>(n).fill(Infinity);
  for (let d = 1; d < n; d++) {
    // g(v, A): attach a subtree spanning A (height <= d - 1) to v through one of its nodes
    const g = Array.from({ length: n }, () => new Float64Array(size).fill(Infinity));
    for (let v = 0; v < n; v++) {
      for (let a = 1; a <= full; a++) {
        if (a & (1 << v)) continue;
        let m = Infinity;
        for (let u = 0; u < n; u++) if (a & (1 << u)) m = Math.min(m, dist[v * n + u] + prev[u][a & ~(1 << u)]);
        g[v][a] = m;
      }
    }
    const cur = Array.from({ length: n }, () => new Float64Array(size).fill(Infinity));
    for (let v = 0; v < n; v++) {
      cur[v][0] = 0;
      for (let s = 1; s <= full; s++) {
        if (s & (1 << v)) continue;
        const low = s & -s;
        let m = Infinity;
        for (let a = s; a > 0; a = (a - 1) & s) if (a & low) m = Math.min(m, g[v][a] + cur[v][s & ~a]);
        cur[v][s] = m;
      }
      best[d] = Math.min(best[d], cur[v][full & ~(1 << v)]);
    }
    prev = cur;
  }
  return best;
}

function checkTree(t: ReuseTree, dist: Int32Array, n: number): void {
  expect(t.parent[t.root]).toBe(-1);
  expect(new Set(t.order).size).toBe(n);
  let total = 0, deepest = 0;
  for (let v = 0; v < n; v++) {
    if (v === t.root) continue;
    // walk up to the root: no cycles, depth as recorded
    let d = 0;
    for (let u = v; u !== t.root; u = t.parent[u]) {
      d++;
      expect(d).toBeLessThan(n);
    }
    expect(t.depth[v]).toBe(d);
    deepest = Math.max(deepest, d);
    expect(t.edgeWeight[v]).toBe(dist[t.parent[v] * n + v]);
    total += dist[t.parent[v] * n + v];
  }
  expect(t.totalWeight).toBe(total);
  expect(t.maxDepth).toBe(deepest);
}

/** Hamming distances of random K-bit rows: metric, with the ties real layers have. */
function hammingInstance(rng: Rng, n: number, k: number, flip: number): Int32Array {
  const proto = Array.from({ length: k }, () => rng.next() < 0.5);
  const words = Math.ceil(k / 32);
  const packed = new Uint32Array(n * words);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < k; i++) if (proto[i] !== rng.next() < flip) packed[c * words + (i >> 5)] |= 1 << (i & 31);
  }
  return hammingMatrix(packed, n, k);
}

/** Arbitrary symmetric non-negative integer distances (not a metric). */
function randomInstance(rng: Rng, n: number, max: number): Int32Array {
  const d = new Int32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i] = rng.int(max + 1);
  return d;
}

describe('reuse tree against brute force over every rooted spanning tree', () => {
  it('enumerates n^(n-2) trees (Cayley)', () => {
    for (let n = 1; n <= 6; n++) expect(allTrees(n).length).toBe(n <= 2 ? 1 : n ** (n - 2));
  });

  it('default: the minimum total distance exactly, and the least depth among minimum spanning trees', () => {
    const rng = makeRng(41);
    let depthOptimal = 0, cases = 0;
    for (let trial = 0; trial < 240; trial++) {
      const n = 1 + (trial % 6);
      const dist = trial % 2 === 0 ? hammingInstance(rng, n, 4 + rng.int(12), 0.1 + 0.4 * rng.next()) : randomInstance(rng, n, 1 + rng.int(6));
      const bf = bruteForce(dist, n);
      const t = buildReuseTree(dist, n);
      checkTree(t, dist, n);
      expect(t.totalWeight).toBe(bf.mst);
      expect(t.maxDepth).toBeGreaterThanOrEqual(bf.mstDepth);
      cases++;
      if (t.maxDepth === bf.mstDepth) depthOptimal++;
    }
    console.log(`minimum-depth MST: the least depth among MSTs in ${depthOptimal} of ${cases} small graphs (n <= 6)`);
    expect(depthOptimal).toBe(cases);
  });

  it('bound D: depth <= D always, the least total at D = 1 and once D allows an MST, and near it in between', () => {
    const rng = makeRng(42);
    let optimal = 0, cases = 0, worst = 0;
    for (let trial = 0; trial < 240; trial++) {
      const n = 2 + (trial % 5);
      const dist = trial % 2 === 0 ? hammingInstance(rng, n, 4 + rng.int(12), 0.1 + 0.4 * rng.next()) : randomInstance(rng, n, 1 + rng.int(9));
      const bf = bruteForce(dist, n);
      const free = buildReuseTree(dist, n);
      for (let d = 1; d < n; d++) {
        const t = buildReuseTree(dist, n, d);
        checkTree(t, dist, n);
        expect(t.maxDepth).toBeLessThanOrEqual(d);
        expect(t.totalWeight).toBeGreaterThanOrEqual(bf.best[d]);
        if (d === 1 || d >= free.maxDepth) expect(t.totalWeight).toBe(bf.best[d]);
        cases++;
        if (t.totalWeight === bf.best[d]) optimal++;
        else worst = Math.max(worst, (t.totalWeight - bf.best[d]) / Math.max(1, bf.best[d]));
      }
    }
    console.log(`depth-bounded tree: optimal in ${optimal} of ${cases} (graph, bound) pairs (n <= 6), worst excess ${(100 * worst).toFixed(1)}%`);
    expect(optimal / cases).toBeGreaterThan(0.95);
  });

  it('the subset DP agrees with brute force (n <= 6), so it can judge larger graphs', () => {
    const rng = makeRng(43);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + (trial % 5);
      const dist = trial % 2 === 0 ? hammingInstance(rng, n, 8, 0.3) : randomInstance(rng, n, 9);
      const bf = bruteForce(dist, n);
      const dp = exactByDp(dist, n);
      for (let d = 1; d < n; d++) expect(dp[d]).toBe(bf.best[d]);
    }
  });

  it('against the exact DP on 9-10 channels: the MST exactly, bounded trees at or near the optimum', () => {
    const rng = makeRng(44);
    // Hamming distances (what layers have) and arbitrary non-metric ones (harder)
    const stats = { hamming: { optimal: 0, cases: 0, worst: 0 }, arbitrary: { optimal: 0, cases: 0, worst: 0 } };
    let minDepthOk = 0, graphs = 0;
    for (let trial = 0; trial < 36; trial++) {
      const n = 9 + (trial % 2);
      const kind = trial % 4 === 3 ? 'arbitrary' : 'hamming';
      const dist = kind === 'arbitrary' ? randomInstance(rng, n, 20) : hammingInstance(rng, n, 32 + rng.int(64), 0.05 + 0.3 * rng.next());
      const dp = exactByDp(dist, n);
      const free = buildReuseTree(dist, n);
      expect(free.totalWeight).toBe(dp[n - 1]);
      // the least depth at which the exact optimum still equals the MST's total
      const exactMinDepth = dp.findIndex((v, d) => d >= 1 && v === dp[n - 1]);
      expect(free.maxDepth).toBeGreaterThanOrEqual(exactMinDepth);
      graphs++;
      if (free.maxDepth === exactMinDepth) minDepthOk++;
      for (let d = 1; d < free.maxDepth; d++) {
        const t = buildReuseTree(dist, n, d);
        expect(t.maxDepth).toBeLessThanOrEqual(d);
        expect(t.totalWeight).toBeGreaterThanOrEqual(dp[d]);
        const s = stats[kind];
        s.cases++;
        const x = (t.totalWeight - dp[d]) / dp[d];
        s.worst = Math.max(s.worst, x);
        if (x === 0) s.optimal++;
      }
    }
    const line = (k: 'hamming' | 'arbitrary') =>
      `${k}: ${stats[k].optimal} of ${stats[k].cases} optimal, worst excess ${(100 * stats[k].worst).toFixed(1)}%`;
    console.log(`n = 9-10 against the exact DP: minimum depth among MSTs reached in ${minDepthOk} of ${graphs} graphs; ` +
      `bounded trees: ${line('hamming')}; ${line('arbitrary')}`);
    expect(minDepthOk).toBe(graphs);
    // measured: Hamming 36 of 37 optimal (worst +1.2%), arbitrary 20 of 20
    expect(stats.hamming.optimal / stats.hamming.cases).toBeGreaterThan(0.9);
    expect(stats.hamming.worst).toBeLessThan(0.05);
    expect(stats.arbitrary.worst).toBeLessThan(0.25);
  });

  it('respects any bound on larger layers, and never beats the MST (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 90 }), fc.integer({ min: 1, max: 64 }), fc.double({ min: 0.02, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, k, flip, seed) => {
          const dist = hammingInstance(makeRng(seed), n, k, flip);
          const free = buildReuseTree(dist, n);
          for (const d of [1, 2, 3, 5]) {
            const t = buildReuseTree(dist, n, d);
            checkTree(t, dist, n);
            expect(t.maxDepth).toBeLessThanOrEqual(d);
            expect(t.totalWeight).toBeGreaterThanOrEqual(free.totalWeight);
            if (d >= free.maxDepth) expect(t.totalWeight).toBe(free.totalWeight);
          }
        }),
      { numRuns: 20, seed: 7 },
    );
  });

  it('refuses a bound below 1 or not an integer', () => {
    const d = new Int32Array(4);
    expect(() => buildReuseTree(d, 2, 0)).toThrow(/depth bound/);
    expect(() => buildReuseTree(d, 2, 1.5)).toThrow(/depth bound/);
  });
});
