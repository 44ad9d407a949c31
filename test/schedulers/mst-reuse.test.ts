/**
 * MST reuse for binary layers against direct +-1 dot products computed in the test, and its
 * operation count against the formula n + sum(edge weights) and an independent MST weight
 * (Kruskal with union-find, written here).
 */
import { describe, expect, it } from 'vitest';
import { buildReuseTree, hammingMatrix, mstStats, reuseDot } from '../../sim/schedulers/mst-reuse.ts';
import { makeRng, type Rng } from '../../sim/random.ts';

function randomSigns(rng: Rng, n: number): Int8Array {
  const v = new Int8Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
  return v;
}

function pack(signs: Int8Array, channels: number, k: number): Uint32Array {
  const words = Math.ceil(k / 32);
  const out = new Uint32Array(channels * words);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < k; i++) if (signs[c * k + i] < 0) out[c * words + (i >> 5)] |= 1 << (i & 31);
  }
  return out;
}

/** weights correlated like a trained layer: channels are noisy copies of a few prototypes */
function correlatedSigns(rng: Rng, channels: number, k: number, flip: number): Int8Array {
  const protos = [randomSigns(rng, k), randomSigns(rng, k), randomSigns(rng, k)];
  const w = new Int8Array(channels * k);
  for (let c = 0; c < channels; c++) {
    const p = protos[rng.int(protos.length)];
    for (let i = 0; i < k; i++) w[c * k + i] = rng.next() < flip ? -p[i] : p[i];
  }
  return w;
}

function kruskalWeight(dist: Int32Array, n: number): number {
  const edges: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([dist[i * n + j], i, j]);
  edges.sort((a, b) => a[0] - b[0]);
  const up = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => (up[x] === x ? x : (up[x] = find(up[x])));
  let total = 0;
  for (const [w, a, b] of edges) {
    const ra = find(a), rb = find(b);
    if (ra !== rb) {
      up[ra] = rb;
      total += w;
    }
  }
  return total;
}

describe('MST reuse for binary layers', () => {
  it('gives outputs bit-identical to direct XNOR computation, with n + sum(edges) operations', () => {
    const rng = makeRng(5);
    for (const [channels, k] of [[1, 9], [2, 33], [7, 31], [16, 64], [24, 75], [40, 147]] as const) {
      const signs = randomSigns(rng, channels * k);
      const w = pack(signs, channels, k);
      const dist = hammingMatrix(w, channels, k);
      const tree = buildReuseTree(dist, channels);
      for (let trial = 0; trial < 3; trial++) {
        const a = randomSigns(rng, k);
        const act = pack(a, 1, k);
        const out = new Int32Array(channels);
        const ops = reuseDot(tree, w, act, channels, k, out);
        const direct = Array.from({ length: channels }, (_, c) => {
          let s = 0;
          for (let i = 0; i < k; i++) s += a[i] * signs[c * k + i];
          return s;
        });
        expect(Array.from(out)).toEqual(direct);
        expect(ops).toBe(k + tree.totalWeight);
      }
    }
  });

  it('builds a minimum spanning tree (weight equals Kruskal) that is a tree rooted at one channel', () => {
    const rng = makeRng(9);
    for (const [channels, k] of [[5, 20], [30, 64], [64, 100]] as const) {
      const w = pack(correlatedSigns(rng, channels, k, 0.1), channels, k);
      const dist = hammingMatrix(w, channels, k);
      const tree = buildReuseTree(dist, channels);
      expect(tree.totalWeight).toBe(kruskalWeight(dist, channels));
      expect(tree.parent[tree.root]).toBe(-1);
      expect(new Set(tree.order).size).toBe(channels);
      const seen = new Set<number>();
      for (const c of tree.order) {
        if (c !== tree.root) expect(seen.has(tree.parent[c])).toBe(true);
        seen.add(c);
      }
    }
  });

  it('saves little on random weights and much more on correlated ones (both reported)', () => {
    const rng = makeRng(3);
    const channels = 64, k = 576;
    const random = pack(randomSigns(rng, channels * k), channels, k);
    const correlated = pack(correlatedSigns(rng, channels, k, 0.08), channels, k);
    const sRandom = mstStats(buildReuseTree(hammingMatrix(random, channels, k), channels), channels, k);
    const sCorr = mstStats(buildReuseTree(hammingMatrix(correlated, channels, k), channels), channels, k);
    // random +-1 rows differ in about half their positions: a little below k/2 per edge
    expect(sRandom.saving).toBeGreaterThan(0.5);
    expect(sRandom.saving).toBeLessThan(0.6);
    expect(sCorr.saving).toBeGreaterThan(sRandom.saving + 0.2);
    console.log(`MST reuse, 64 channels x 576: random weights save ${(100 * sRandom.saving).toFixed(1)}% ops, ` +
      `correlated ${(100 * sCorr.saving).toFixed(1)}%; depth ${sRandom.tree_depth} / ${sCorr.tree_depth}`);
  });
});
