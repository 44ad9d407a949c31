/**
 * `--reuse mst` in runs with the never-losing storage and the depth bound:
 *  - weight bits and DRAM bytes never exceed the run without reuse, on random, correlated and
 *    trained (bcnn.onnx) weights, on any preset, array size and dataflow (fast-check);
 *  - a depth bound holds on every layer, and the exposed tree levels (depth x fill + drain of
 *    one fold, read from the mapping here) move the cycles as the bound moves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer, gemmView } from '../../sim/workload/layer.ts';
import { loadWorkload } from '../../models/workload.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { simulate } from '../../sim/simulate.ts';
import type { LayerResult } from '../../sim/result.ts';
import { correlatedWeights } from '../../sim/schedulers/mst-layer.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { runRequest } from '../../models/run-request.ts';
import { parseSweepSpec } from '../../sweep/spec.ts';
import { pointRequest } from '../../sweep/point.ts';

const xnor = getPe('xnor');

const dramBytes = (d: LayerResult['dram']): number => d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes;

function neverMore(layers: readonly LayerResult[]): void {
  for (const l of layers) {
    const m = l.reuse;
    if (m === undefined) continue;
    expect(m.weight_bits_reuse, l.name).toBeLessThanOrEqual(m.weight_bits_direct);
    expect(l.dram.filter_read_bytes, l.name).toBeLessThanOrEqual(m.direct.dram.filter_read_bytes);
    expect(dramBytes(l.dram), l.name).toBeLessThanOrEqual(dramBytes(m.direct.dram));
    expect(l.sram.filter_reads, l.name).toBeLessThanOrEqual(m.direct.sram.filter_reads);
    if (m.storage.format === 'direct') expect(m.weight_bits_reuse).toBe(m.weight_bits_direct);
  }
}

describe('MST reuse never moves more weight bytes', () => {
  it('random and correlated weights, any preset, array and dataflow (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('edge', 'scale', 'eyeriss', 'google'), fc.constantFrom('os', 'ws', 'is'),
        fc.integer({ min: 2, max: 32 }), fc.integer({ min: 2, max: 32 }),
        fc.integer({ min: 1, max: 64 }), fc.integer({ min: 2, max: 96 }), fc.integer({ min: 4, max: 600 }),
        fc.constantFrom('random', 'correlated'), fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (preset, dataflow, rows, cols, m, n, k, kind, flip, depth, seed) => {
          const arch = { ...getPreset(preset), array: { rows, cols }, dataflow };
          const layer = gemmLayer('g', m, n, k);
          const weights = kind === 'correlated' ? [correlatedWeights(seed, k, n, flip)] : undefined;
          const r = simulate({
            arch, pe: xnor, layers: [layer], reuse: 'mst', seed,
            ...(weights !== undefined && { weights }), ...(depth !== undefined && { mstDepth: depth }),
          });
          neverMore(r.layers);
          const plain = simulate({ arch, pe: xnor, layers: [layer], seed });
          expect(r.layers[0].reuse?.direct.dram).toEqual(plain.layers[0].dram);
          expect(dramBytes(r.totals.dram)).toBeLessThanOrEqual(dramBytes(plain.totals.dram));
        },
      ),
      { numRuns: 40, seed: 31 },
    );
  });

  it('the trained bcnn on an XNOR PE, every preset: never more bytes, per layer and in total', () => {
    const work = loadWorkload('bcnn', { weights: true });
    for (const preset of ['edge', 'scale', 'eyeriss', 'google']) {
      const arch = getPreset(preset);
      const base = { arch, pe: xnor, layers: work.layers, repeats: work.repeats };
      const r = simulate({ ...base, reuse: 'mst', weights: work.weights ?? [] });
      const plain = simulate(base);
      expect(r.layers.filter((l) => l.reuse?.weights === 'model').length).toBe(4);
      neverMore(r.layers);
      expect(dramBytes(r.totals.dram), preset).toBeLessThanOrEqual(dramBytes(plain.totals.dram));
    }
  });
});

describe('MST depth bound in runs', () => {
  it('holds on every layer and trades exposed levels against operations in the cycles', () => {
    const arch = { ...getPreset('edge'), dataflow: 'os' as const };
    const layers = [
      gemmLayer('g', 64, 96, 576),
      convLayer({ name: 'c', inH: 8, inW: 8, kH: 3, kW: 3, channels: 32, filters: 64, padding: 'valid' }),
    ];
    const weights = [correlatedWeights(2, 576, 96, 0.05), correlatedWeights(3, 288, 64, 0.05)];
    const free = simulate({ arch, pe: xnor, layers, reuse: 'mst', weights });
    for (const d of [1, 2, 3]) {
      const r = simulate({ arch, pe: xnor, layers, reuse: 'mst', weights, mstDepth: d });
      r.layers.forEach((l, i) => {
        const m = l.reuse, f = free.layers[i].reuse;
        if (m === undefined || f === undefined) throw new Error('no reuse');
        expect(m.tree_depth).toBeLessThanOrEqual(d);
        expect(m.depth_bound).toBe(d);
        expect(m.total_distance).toBeGreaterThanOrEqual(f.total_distance);
        expect(m.reuse_ops).toBe(m.k + m.total_distance);
        // compute cycles: every fold's fill + drain O, the streamed part scaled by the
        // operations, and O once per tree level (the array's mapping, computed here)
        const mp = mapGemm(gemmView(layers[i]), arch.array.rows, arch.array.cols, arch.dataflow);
        const o = mp.foldCycles - mp.t;
        expect(l.compute_cycles).toBe(mp.folds * o + Math.ceil(mp.folds * mp.t * (m.reuse_ops / m.direct_ops)) + m.tree_depth * o);
      });
    }
    // a star (depth 1) exposes one level instead of the MST's several, and costs operations
    const star = simulate({ arch, pe: xnor, layers, reuse: 'mst', weights, mstDepth: 1 });
    expect(free.layers[0].reuse?.tree_depth).toBeGreaterThan(1);
    expect(star.layers[0].reuse?.reuse_ops).toBeGreaterThan(free.layers[0].reuse?.reuse_ops ?? Infinity);
    expect(free.layers[0].reuse?.depth_bound).toBeUndefined();
  });
});

describe('MST depth in sweeps', () => {
  it('mst_depth is a sweepable run field: each point runs what `bitweave run --reuse mst --mst-depth D` runs', async () => {
    const text = 'base:\n  arch: edge\n  model: gemm:16x40x64\n  reuse: mst\nset:\n  pe: xnor\ngrid:\n  mst_depth: [1, 2]\n';
    const deps = { loadArch: getPreset };
    const spec = parseSweepSpec(text, 'inline', deps);
    expect(spec.points.map((p) => p.config.mst_depth)).toEqual([1, 2]);
    for (const p of spec.points) {
      const req = pointRequest(p.config);
      expect(req.mstDepth).toBe(p.config.mst_depth);
      const r = await runRequest(req);
      expect(r.layers[0].reuse?.tree_depth).toBeLessThanOrEqual(p.config.mst_depth ?? 0);
      expect(r.layers[0].reuse?.depth_bound).toBe(p.config.mst_depth);
    }
    expect(() => parseSweepSpec(text.replace('  reuse: mst\n', ''), 'inline', deps)).toThrow(/mst_depth bounds the MST reuse tree; it needs reuse: mst/);
    expect(() => parseSweepSpec(text.replace('[1, 2]', '[0]'), 'inline', deps)).toThrow(/mst_depth/);
  });
});
