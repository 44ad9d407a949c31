/**
 * The never-losing MST weight storage (sim/schedulers/mst-storage.ts) against a real bit
 * stream written and read back here: an encoder that lays out the root, then per child a flag,
 * and a count and indices or the plain bits, exactly as the header describes; a decoder that
 * rebuilds every channel from the stream and the tree alone. The stream decodes to the
 * original weights (lossless), its length is the reported size, and the size never exceeds
 * plain storage, on random, correlated (fast-check) and trained (bcnn.onnx) weights.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmView } from '../../sim/workload/layer.ts';
import { loadWorkload } from '../../models/workload.ts';
import { trainedMetrics } from '../../models/accuracy/trained.ts';
import { buildReuseTree, hammingMatrix, type ReuseTree } from '../../sim/schedulers/mst-reuse.ts';
import { correlatedWeights, packColumns, randomPacked } from '../../sim/schedulers/mst-layer.ts';
import { mstStorage } from '../../sim/schedulers/mst-storage.ts';

const bit = (packed: Uint32Array, words: number, c: number, i: number): number => (packed[c * words + (i >> 5)] >>> (i & 31)) & 1;

class BitWriter {
  readonly bits: number[] = [];
  write(value: number, width: number): void {
    for (let b = width - 1; b >= 0; b--) this.bits.push(Math.floor(value / 2 ** b) % 2);
  }
}

class BitReader {
  private at = 0;
  constructor(private readonly bits: readonly number[]) {}
  read(width: number): number {
    if (this.at + width > this.bits.length) throw new Error('read past the end of the stream');
    let v = 0;
    for (let b = 0; b < width; b++) v = v * 2 + this.bits[this.at++];
    return v;
  }
  get consumed(): number {
    return this.at;
  }
}

/** Writes the layer as the storage format says (1-bit weights): layer plain, or root + flagged children. */
function encode(tree: ReuseTree, packed: Uint32Array, n: number, k: number): number[] {
  const words = Math.ceil(k / 32);
  const idx = Math.max(1, Math.ceil(Math.log2(k)));
  const cnt = Math.max(1, Math.ceil(Math.log2(k + 1)));
  const w = new BitWriter();
  const plain = (c: number) => {
    for (let i = 0; i < k; i++) w.write(bit(packed, words, c, i), 1);
  };
  for (const c of tree.order) {
    if (c === tree.root) {
      plain(c);
      continue;
    }
    const p = tree.parent[c];
    const diffs: number[] = [];
    for (let i = 0; i < k; i++) if (bit(packed, words, c, i) !== bit(packed, words, p, i)) diffs.push(i);
    if (cnt + diffs.length * idx < k) {
      w.write(1, 1);
      w.write(diffs.length, cnt);
      for (const i of diffs) w.write(i, idx);
    } else {
      w.write(0, 1);
      plain(c);
    }
  }
  // the layer falls back to plain storage when that is not larger
  if (w.bits.length >= n * k) {
    const flat = new BitWriter();
    for (let c = 0; c < n; c++) for (let i = 0; i < k; i++) flat.write(bit(packed, words, c, i), 1);
    return flat.bits;
  }
  return w.bits;
}

/** Rebuilds every channel's bits from the stream, the tree and the layer's format. */
function decode(bits: readonly number[], tree: ReuseTree, n: number, k: number, format: 'mst' | 'direct'): Uint8Array[] {
  const r = new BitReader(bits);
  const out = Array.from({ length: n }, () => new Uint8Array(k));
  const idx = Math.max(1, Math.ceil(Math.log2(k)));
  const cnt = Math.max(1, Math.ceil(Math.log2(k + 1)));
  if (format === 'direct') {
    for (let c = 0; c < n; c++) for (let i = 0; i < k; i++) out[c][i] = r.read(1);
  } else {
    for (const c of tree.order) {
      if (c === tree.root || r.read(1) === 0) {
        for (let i = 0; i < k; i++) out[c][i] = r.read(1);
      } else {
        out[c].set(out[tree.parent[c]]);
        const count = r.read(cnt);
        for (let j = 0; j < count; j++) out[c][r.read(idx)] ^= 1;
      }
    }
  }
  expect(r.consumed).toBe(bits.length);
  return out;
}

function check(packed: Uint32Array, n: number, k: number, maxDepth?: number): { direct: number; stored: number } {
  const tree = buildReuseTree(hammingMatrix(packed, n, k), n, maxDepth);
  const s = mstStorage(tree, n, k, 1);
  const stream = encode(tree, packed, n, k);
  expect(s.bits).toBe(stream.length);
  expect(s.bits).toBeLessThanOrEqual(n * k);
  expect(s.direct_bits).toBe(n * k);
  expect(s.children_list + s.children_plain).toBe(n - 1);
  const back = decode(stream, tree, n, k, s.format);
  const words = Math.ceil(k / 32);
  for (let c = 0; c < n; c++) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = back[c][i] === bit(packed, words, c, i);
    if (!same) expect.fail(`channel ${c} of ${n} x ${k} does not decode to its weights`);
  }
  return { direct: n * k, stored: s.bits };
}

describe('MST weight storage never loses', () => {
  it('random +-1 weights: the layer stays plain (the lists would be larger)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, k, seed) => {
        check(randomPacked(seed, n, k), n, k);
      }),
      { numRuns: 30, seed: 11 },
    );
  });

  it('correlated weights: lossless and never larger, under any depth bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.integer({ min: 8, max: 600 }), fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, k, flip, depth, seed) => {
          check(packColumns(correlatedWeights(seed, k, n, flip), k, n, (v) => v < 0), n, k, depth);
        }),
      { numRuns: 40, seed: 12 },
    );
  });

  it('close channels compress: copies of three prototypes with 1% flips store in under half the bits', () => {
    const n = 32, k = 288;
    const r = check(packColumns(correlatedWeights(9, k, n, 0.01), k, n, (v) => v < 0), n, k);
    expect(r.stored).toBeLessThan(r.direct / 2);
  });

  it('the trained bcnn weights: every layer lossless and never larger', () => {
    const work = loadWorkload('bcnn', { weights: true });
    let layers = 0;
    work.layers.forEach((layer, i) => {
      const w = work.weights?.[i];
      if (w === undefined) return;
      const { k, n } = gemmView(layer);
      check(packColumns(w, k, n, (v) => v < 0), n, k);
      layers++;
    });
    expect(layers).toBe(4);
  });

  it('a wider weight word keeps the root and plain children at that width; lists stay in index bits', () => {
    const n = 16, k = 288;
    const packed = packColumns(correlatedWeights(3, k, n, 0.02), k, n, (v) => v < 0);
    const tree = buildReuseTree(hammingMatrix(packed, n, k), n);
    const one = mstStorage(tree, n, k, 1), eight = mstStorage(tree, n, k, 8);
    expect(eight.direct_bits).toBe(8 * n * k);
    expect(eight.bits).toBeLessThanOrEqual(eight.direct_bits);
    // every list that paid at one bit per weight pays at eight
    expect(eight.children_list).toBeGreaterThanOrEqual(one.children_list);
    expect(eight.bits - 8 * k).toBeLessThanOrEqual(one.bits - k + (n - 1) * 7 * k);
  });
});

describe('MST-trained models: the simulator agrees with the training script', () => {
  // models/train/train_mst.py records, per binary layer, the MST total and the storage of its
  // own tree (numpy Prim); every MST has the same multiset of edge weights, so both figures
  // must equal the simulator's, whose tree (the minimum-depth MST) may have other edges
  const models = Object.entries(trainedMetrics()).filter(([, m]) => (m as { mst_training?: unknown }).mst_training !== undefined);

  it('at least one MST-trained model is committed', () => {
    expect(models.length).toBeGreaterThan(0);
  });

  for (const [name, entry] of models) {
    it(`${name}: MST total distance, storage bits and difference lists per binary layer as recorded by PyTorch's script`, () => {
      const recorded = (entry as unknown as { mst_training: { layers: { channels: number; k: number; mst_total: number; mst_bits: number; children_as_lists: number }[] } }).mst_training.layers;
      const work = loadWorkload(name, { weights: true });
      const binary = work.layers.flatMap((layer, i) => (work.binary?.[i] && work.weights?.[i] !== undefined && gemmView(layer).n >= 64 ? [{ layer, w: work.weights[i] as Float32Array }] : []));
      expect(binary.map(({ layer }) => [gemmView(layer).n, gemmView(layer).k])).toEqual(recorded.map((r) => [r.channels, r.k]));
      binary.forEach(({ layer, w }, i) => {
        const { n, k } = gemmView(layer);
        const tree = buildReuseTree(hammingMatrix(packColumns(w, k, n, (v) => v < 0), n, k), n);
        const s = mstStorage(tree, n, k, 1);
        expect(tree.totalWeight).toBe(recorded[i].mst_total);
        expect(s.bits).toBe(recorded[i].mst_bits);
        // (the script counts lists even where the layer falls back to plain storage)
        if (s.format === 'mst') expect(s.children_list).toBe(recorded[i].children_as_lists);
      });
    });
  }
});
