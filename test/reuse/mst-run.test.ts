/**
 * MST reuse in runs: bit-identical to direct XNOR computation through the simulator's
 * functional path (every dataflow, GEMM and padded conv), the operation count formula, the
 * counts it changes, random vs correlated (trained-like) weights, and the clear error on a
 * run without binary layers.
 */
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer } from '../../sim/workload/layer.ts';
import { arrayOpWeights, loadWorkload } from '../../models/workload.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { lowerGraph } from '../../models/lower.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { runCost, withCost } from '../../sim/cost/run-cost.ts';
import { buildReport } from '../../reports/cost-report.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';
import { simulate } from '../../sim/simulate.ts';
import { runPipeline } from '../../sim/pipeline.ts';
import { buildReuseTree, hammingMatrix } from '../../sim/schedulers/mst-reuse.ts';
import { correlatedWeights, packColumns } from '../../sim/schedulers/mst-layer.ts';

const xnor = getPe('xnor');

describe('MST reuse in runs', () => {
  it('gives outputs bit-identical to direct XNOR computation on every dataflow (GEMM and padded conv)', () => {
    const rng = makeRng(21);
    for (const df of ['os', 'ws', 'is'] as const) {
      for (let trial = 0; trial < 2; trial++) {
        const arch = { ...getPreset('edge'), array: { rows: 2 + rng.int(7), cols: 2 + rng.int(7) }, dataflow: df };
        const layers = [
          gemmLayer('g', 3 + rng.int(20), 2 + rng.int(30), 10 + rng.int(80)),
          convLayer({ name: 'c', inH: 6, inW: 5, kH: 3, kW: 3, channels: 3 + rng.int(6), filters: 4 + rng.int(12), padding: 'same' }),
        ];
        const r = simulate({ arch, pe: xnor, layers, functional: true, seed: 1 + trial, reuse: 'mst' });
        expect(r.arch.reuse).toBe('mst');
        for (const l of r.layers) {
          const m = l.reuse;
          expect(m, l.name).toBeDefined();
          expect(m?.output_check?.identical, `${df} ${l.name}`).toBe(true);
          expect(m?.output_check?.checksum_reuse).toBe(l.output?.checksum);
          // operation count: n + sum(edge weights) per output pixel, over M pixels
          expect(m?.ops).toBe(l.gemm.m * (m?.reuse_ops ?? 0));
          expect(m?.direct_ops).toBe(l.gemm.n * l.gemm.k);
          expect(m?.saving).toBeCloseTo(1 - (m?.reuse_ops ?? 0) / (m?.direct_ops ?? 1), 12);
          expect(l.utilization).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('builds the tree from the given weights and reports what it changed', () => {
    const k = 288, n = 64, layer = gemmLayer('b', 49, n, k);
    const w = correlatedWeights(4, k, n, 0.06);
    const arch = { ...getPreset('edge'), dataflow: 'os' as const };
    const r = simulate({ arch, pe: xnor, layers: [layer], reuse: 'mst', weights: [w], repeats: [3] });
    const l = r.layers[0], m = l.reuse;
    const tree = buildReuseTree(hammingMatrix(packColumns(w, k, n, (v) => v < 0), n, k), n);
    expect(m?.weights).toBe('model');
    expect(m?.reuse_ops).toBe(k + tree.totalWeight);
    expect(m?.tree_depth).toBe(tree.maxDepth);
    expect(m?.ops).toBe(3 * 49 * (k + tree.totalWeight));
    expect(l.compute_cycles).toBeLessThan(m?.direct.compute_cycles ?? 0);
    // the difference lists of correlated weights are smaller than the raw bits: fewer filter bytes
    expect(m?.weight_bits_reuse).toBeLessThan(m?.weight_bits_direct ?? 0);
    expect(l.dram.filter_read_bytes).toBeLessThan(m?.direct.dram.filter_read_bytes ?? 0);
    expect(l.sram.ofmap_reads).toBe((m?.direct.sram.ofmap_reads ?? 0) + 3 * 49 * (n - 1));
    const c = runCost(r, arch);
    const e = c.layers[0].reuse_effect;
    expect(e?.kind).toBe('mst');
    expect(e?.with.energy_pj).toBeCloseTo(c.layers[0].energy_pj.total, 6);
    expect(e?.saved.energy_pj).toBeGreaterThan(0);
    expect(e?.without.cycles).toBe(m?.direct.cycles);
    expect(c.totals.reuse_effect?.saved.cycles).toBe((m?.direct.cycles ?? 0) - l.cycles);
    const rep = buildReport(withCost(r, c), undefined, { papers: false });
    expect(rep.files['report.md']).toContain('## Computation reuse');
    expect(rep.files['report.html']).toContain('<h2>Computation reuse</h2>');
    expect(rep.files['reuse.csv']?.split('\n')[1]).toMatch(/^b,mst,/);
    // the MST chart: stored + saved weight bits stack to the direct bits
    expect(rep.files['report.md']).toContain('![reuse](reuse.svg)');
    expect(rep.files['reuse.svg']).toContain('weight bits stored');
    expect(rep.files['report.html']).toContain('data-chart="reuse.svg"');
    expect(rep.files['reuse.csv']?.split('\n')[0]).toMatch(/,total_distance,depth_bound,storage_format,children_list,children_plain$/);
  });

  /**
   * A 2x2 array (os), one output pixel, K = 4, N = 3 channels whose +-1 weights form a chain
   * (channel 1 differs from 0 in one position, 2 from 1 in one more): the tree is rooted at the
   * centre, channel 1, with children 0 and 2 (depth 1, edge weights 1 + 1). Worked by hand:
   *   operations: K + sum(edges) = 4 + 2 = 6 instead of N x K = 12;
   *   folds: rows = M = 1, cols = N = 3 -> 1 x 2 folds, T = K = 4, fold = T + R + C - 2 = 6 cycles,
   *   fill + drain O = 2; compute cycles = folds x O + ceil(folds x T x 6/12) + depth x O
   *   = 4 + 4 + 2 = 10 (direct: 2 x 6 = 12);
   *   energy per operation (Aladdin 40 nm, power_func.h, 1 ns): XNOR = BIT_1ns / 32 =
   *   0.0180559 / 32 pJ, int32 accumulate 0.2104162 pJ; registers per operation (os) = input 1 +
   *   weight 1 + acc 32 bits x 0.008999495 pJ.
   */
  it('prices a hand-worked 2x2 example: operations, cycles and pJ typed in (aladdin40)', async () => {
    const k = 4, n = 3;
    const ch = [[1, 1, 1, 1], [-1, 1, 1, 1], [-1, -1, 1, 1]];
    const w = new Float32Array(k * n);
    for (let c = 0; c < n; c++) for (let i = 0; i < k; i++) w[i * n + c] = ch[c][i];
    const arch = { ...getPreset('edge'), array: { rows: 2, cols: 2 }, dataflow: 'os' as const };
    const workload = { name: 'b', layers: [gemmLayer('b', 1, n, k)], repeats: [1], vectorOps: [], binary: [true], weights: [w] };
    const r = await runPipeline({ arch, pe: xnor, workload, reuse: 'mst', cost: { technology: 'aladdin40' } });
    const l = r.layers[0], m = l.reuse;
    expect([m?.direct_ops, m?.reuse_ops, m?.ops, m?.tree_depth]).toEqual([12, 6, 6, 1]);
    expect([l.compute_cycles, m?.direct.compute_cycles]).toEqual([10, 12]);
    const opPj = 0.0180559 / 32 + 0.2104162;
    const regPj = (1 + 1 + 32) * 0.008999495;
    expect(l.energy_pj.compute).toBeCloseTo(6 * opPj, 12);
    expect(l.energy_pj.registers).toBeCloseTo(6 * regPj, 12);
    // the same layer without reuse: 12 operations
    const direct = await runPipeline({ arch, pe: xnor, workload, cost: { technology: 'aladdin40' } });
    expect(direct.layers[0].energy_pj.compute).toBeCloseTo(12 * opPj, 12);
    expect(r.totals.reuse_effect?.without.cycles).toBe(direct.totals.cycles);
  });

  it('saves a little more than half on random weights and much more on correlated ones (both reported)', () => {
    const k = 576, n = 64, layer = gemmLayer('b', 16, n, k);
    const arch = getPreset('edge');
    const random = simulate({ arch, pe: xnor, layers: [layer], reuse: 'mst', seed: 3 }).layers[0].reuse;
    const corr = simulate({ arch, pe: xnor, layers: [layer], reuse: 'mst', weights: [correlatedWeights(5, k, n, 0.08)] }).layers[0].reuse;
    expect(random?.weights).toBe('random');
    expect(random?.saving).toBeGreaterThan(0.5);
    expect(random?.saving).toBeLessThan(0.6);
    expect(corr?.saving).toBeGreaterThan((random?.saving ?? 1) + 0.2);
    // random rows differ in half their positions, and two copies of a prototype with 8% flips
    // in ~15%: difference lists (10-bit indices) would outgrow the raw bits, so both layers keep
    // their plain storage (never more bits)
    for (const m of [random, corr]) {
      expect(m?.storage.format).toBe('direct');
      expect(m?.weight_bits_reuse).toBe(m?.weight_bits_direct);
    }
    console.log(`MST in a run, 64 x 576: random weights save ${(100 * (random?.saving ?? 0)).toFixed(1)}% of the operations ` +
      `(weights ${random?.weight_bits_direct} -> ${random?.weight_bits_reuse} bits), correlated ${(100 * (corr?.saving ?? 0)).toFixed(1)}% ` +
      `(${corr?.weight_bits_direct} -> ${corr?.weight_bits_reuse} bits)`);
  });

  it('refuses a run without binary layers, and reuses only the binary ones of a mixed model', () => {
    const layers = [gemmLayer('g', 8, 8, 8)];
    expect(() => simulate({ arch: getPreset('edge'), pe: getPe('int8'), layers, reuse: 'mst' })).toThrow(InputError);
    expect(() => simulate({ arch: getPreset('edge'), pe: getPe('int8'), layers, reuse: 'mst' })).toThrow(/--reuse mst needs binary layers/);
    expect(() => simulate({ arch: getPreset('edge'), pe: xnor, layers, reuse: 'mst', compat: 'scalesim' })).toThrow(/SCALE-Sim/);
    // the N x N distance matrix is bounded: a wider layer is refused before any work
    expect(() => simulate({ arch: getPreset('edge'), pe: xnor, layers: [gemmLayer('w', 2, 5000, 8)], reuse: 'mst' }))
      .toThrow(/layer w has 5000 output channels; MST reuse takes at most 4096/);
    const mixed = [gemmLayer('a', 8, 8, 8), gemmLayer('b', 8, 8, 8)];
    const r = simulate({ arch: getPreset('edge'), pe: getPe('int8'), layers: mixed, reuse: 'mst', binary: [false, true] });
    expect(r.layers[0].reuse).toBeUndefined();
    expect(r.layers[1].reuse?.weights).toBe('random');
  });

  it('takes a graph\'s weights in the B layout and marks all-+-1 convs as binary', () => {
    const b = new GraphBuilder('t', { weights: true, seed: 2 });
    const x = b.input('x', [1, 3, 5, 5]);
    b.output(b.conv(x, 'c', { out: 4, k: 3 }));
    const g = b.g;
    const op = lowerGraph(g).arrayOps[0];
    const w = g.tensors.get('c.weight')?.data as Float32Array;
    const bw = arrayOpWeights(g, op) as Float32Array;
    // B[k][n], k = (kh * kW + kw) * C + c: filter 2, channel 1, kh 0, kw 2 -> k = 2 * 3 + 1 = 7
    expect(bw[7 * 4 + 2]).toBe(w[((2 * 3 + 1) * 3 + 0) * 3 + 2]);
    expect(bw.length).toBe(27 * 4);
    expect(loadWorkload('binary_resnet18').binary?.filter(Boolean).length).toBe(16);
  });
});
