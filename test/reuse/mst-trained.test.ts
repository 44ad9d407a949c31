/**
 * The MST-trained binary CNNs (models/train/train_mst.py) in `bitweave run --reuse mst`:
 *  - accuracy from PyTorch's own predictions on the 10,000 test images (the committed
 *    predictions_*.bin against the Fashion-MNIST labels), not from the simulator;
 *  - at least one of them within 1 point of bcnn whose MST run stores fewer weight bits and
 *    spends less energy than the same run without reuse (the claim);
 *  - on their trained weights, MST storage never moves more weight bytes, on any preset.
 */
import { describe, expect, it } from 'vitest';
import { recordedPredictions, trainedMetrics } from '../../models/accuracy/trained.ts';
import { loadFmnist } from '../../models/data/fmnist.ts';
import { runRequest } from '../../models/run-request.ts';
import { loadWorkload } from '../../models/workload.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { simulate } from '../../sim/simulate.ts';
import type { LayerResult } from '../../sim/result.ts';

const labels = loadFmnist().labels;
function pytorchAccuracy(name: string): number {
  const p = recordedPredictions(name);
  if (p === undefined) throw new Error(`${name}: no recorded predictions`);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) correct++;
  return correct / labels.length;
}

const MST_MODELS = Object.entries(trainedMetrics())
  .filter(([, m]) => (m as unknown as { mst_training?: unknown }).mst_training !== undefined)
  .map(([name]) => name)
  .sort();

const dramBytes = (d: LayerResult['dram']): number => d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes;

describe('MST-trained binary CNNs', () => {
  it('the three committed strengths are there', () => {
    expect(MST_MODELS).toEqual(['bcnn_mst03', 'bcnn_mst06', 'bcnn_mst2']);
  });

  it('one within 1 point of bcnn (PyTorch on 10,000 images) stores fewer bits and spends less energy with --reuse mst', async () => {
    const base = pytorchAccuracy('bcnn');
    const arch = { ...getPreset('scale'), pe: 'xnor' };
    const winners: { name: string; drop: number; compression: number; energy: number }[] = [];
    for (const name of MST_MODELS) {
      const drop = base - pytorchAccuracy(name);
      if (drop > 0.01) continue;
      const r = await runRequest({ arch, model: name, mst: true });
      const e = r.totals.reuse_effect;
      if (e === undefined) throw new Error(`${name}: no reuse effect`);
      const mst = r.layers.flatMap((l) => (l.reuse !== undefined ? [l.reuse] : []));
      expect(mst.every((m) => m.weights === 'model')).toBe(true);
      const direct = mst.reduce((s, m) => s + m.weight_bits_direct, 0);
      const stored = mst.reduce((s, m) => s + m.weight_bits_reuse, 0);
      if (stored < direct && e.with.energy_pj < e.without.energy_pj) {
        winners.push({ name, drop, compression: direct / stored, energy: e.with.energy_pj / e.without.energy_pj });
      }
    }
    // bcnn_mst06: 0.92 points below bcnn, 1.08x on all reused layers' weight bits, about -6% energy
    expect(winners.map((w) => w.name)).toContain('bcnn_mst06');
    const w = winners.find((x) => x.name === 'bcnn_mst06');
    expect(w?.compression).toBeGreaterThan(1.05);
    expect(w?.energy).toBeLessThan(0.97);
  });

  it('on their trained weights MST storage never moves more weight bytes, per layer and in total', () => {
    const xnor = getPe('xnor');
    for (const name of MST_MODELS) {
      const work = loadWorkload(name, { weights: true });
      for (const preset of ['edge', 'scale', 'eyeriss', 'google']) {
        const plainRun = { arch: getPreset(preset), pe: xnor, layers: work.layers, repeats: work.repeats };
        const r = simulate({ ...plainRun, reuse: 'mst', weights: work.weights ?? [] });
        const plain = simulate(plainRun);
        for (const l of r.layers) {
          const m = l.reuse;
          if (m === undefined) continue;
          expect(m.weights).toBe('model');
          expect(m.weight_bits_reuse, `${name} ${preset} ${l.name}`).toBeLessThanOrEqual(m.weight_bits_direct);
          expect(dramBytes(l.dram), `${name} ${preset} ${l.name}`).toBeLessThanOrEqual(dramBytes(m.direct.dram));
        }
        expect(dramBytes(r.totals.dram), `${name} ${preset}`).toBeLessThanOrEqual(dramBytes(plain.totals.dram));
      }
    }
  });
});
