/**
 * Whole models through the simulator: repeated layers count like explicitly listed ones,
 * vector work costs the cycles its throughput implies, and a zoo model run reports the
 * published MAC count.
 */
import { describe, expect, it } from 'vitest';
import { getPreset } from '../sim/arch/presets.ts';
import { getPe } from '../sim/pe/registry.ts';
import { simulate } from '../sim/simulate.ts';
import { convLayer, gemmLayer } from '../sim/workload/layer.ts';
import { runCli } from './cli/run-cli.ts';
import { trainedMetrics } from '../models/accuracy/trained.ts';

describe('repeats and vector work', () => {
  const arch = getPreset('scale');
  const pe = getPe('int8');
  const conv = convLayer({ name: 'c', inH: 14, inW: 14, kH: 3, kW: 3, channels: 1, filters: 1, padding: 'same' });

  it('a layer repeated 5 times counts as the same layer listed 5 times', () => {
    const once = simulate({ arch, pe, layers: [conv], repeats: [5] });
    const listed = simulate({ arch, pe, layers: [conv, conv, conv, conv, conv] });
    const l = once.layers[0];
    expect(l.repeat).toBe(5);
    expect(l.cycles).toBe(listed.totals.cycles);
    expect(l.macs).toBe(listed.totals.macs);
    expect(l.macs).toBe(5 * 14 * 14 * 9);
    expect(l.sram).toEqual(listed.totals.sram);
    expect(l.dram).toEqual(listed.totals.dram);
    expect(once.totals.utilization).toBeCloseTo(listed.totals.utilization, 12);
  });

  it('vector ops take ceil(elements x passes / throughput) cycles, added to the total', () => {
    const layer = gemmLayer('g', 8, 8, 8);
    const base = simulate({ arch, pe, layers: [layer] });
    const withVec = simulate({
      arch: { ...arch, vector_throughput: 16 }, pe, layers: [layer],
      vectorOps: [{ name: 'relu', op: 'relu', elements: 1000, opsPerElement: 1 }, { name: 'sm', op: 'softmax', elements: 100, opsPerElement: 4 }],
    });
    // 1000/16 -> 63 cycles, 400/16 -> 25 cycles
    expect(withVec.vector.cycles).toBe(63 + 25);
    expect(withVec.vector.element_ops).toBe(1400);
    expect(withVec.totals.vector_cycles).toBe(88);
    expect(withVec.totals.cycles).toBe(base.totals.cycles + 88);
    expect(withVec.totals.macs).toBe(base.totals.macs);
  });

  it('repeat counts must be positive integers', () => {
    expect(() => simulate({ arch, pe, layers: [conv], repeats: [0] })).toThrow(/repeat must be a positive integer/);
  });
});

describe('bitweave run --model (zoo)', () => {
  it('resnet18 reports the published 1.814 GMACs, with vector work and energy', () => {
    const r = runCli(['run', '--arch', 'scale', '--model', 'resnet18', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as {
      totals: { macs: number; vector_cycles: number; energy_pj: { total: number; vector: number } };
      vector: { ops: unknown[] };
    };
    // torchvision resnet18 at 224x224: 1,814,073,344 MACs (conv + fc)
    expect(res.totals.macs).toBe(1_814_073_344);
    expect(res.vector.ops.length).toBeGreaterThan(10);
    expect(res.totals.vector_cycles).toBeGreaterThan(0);
    expect(res.totals.energy_pj.vector).toBeGreaterThan(0);
  });

  it('names the zoo models for an unknown one, exit code 2', () => {
    const r = runCli(['run', '--model', 'resnet19']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('resnet18');
  });
});

describe('bitweave run --dataset (accuracy next to cycles and energy)', () => {
  it('reports the trained model\'s accuracy through the run\'s PE and dataflow', () => {
    const r = runCli(['run', '--arch', 'edge', '--model', 'cnn', '--pe', 'fp8-e4m3', '--functional', '--dataset', 'fmnist', '--limit', '40', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { accuracy: { images: number; top1: number; agreement: number }; totals: { macs: number } };
    // the MACs per image PyTorch's model had at training time (models/data/trained/metrics.json)
    expect(res.totals.macs).toBe(trainedMetrics().cnn.macs_per_image);
    expect(res.totals.macs).toBe(1_117_056);
    const direct = runCli(['accuracy', '--model', 'cnn', '--pe', 'fp8-e4m3', '--arch', 'edge', '--limit', '40', '--json']);
    const a = JSON.parse(direct.stdout) as { top1: number; agreement: number; dataflow: string };
    expect(a.dataflow).toBe('ws');
    expect(res.accuracy.images).toBe(40);
    expect(res.accuracy.top1).toBe(a.top1);
    expect(res.accuracy.agreement).toBe(a.agreement);
  });

  it('refuses a data set for a model without trained weights, and an unknown data set', () => {
    const zoo = runCli(['run', '--model', 'resnet18', '--dataset', 'fmnist']);
    expect(zoo.code).toBe(2);
    expect(zoo.stderr).toContain('no trained weights');
    const ds = runCli(['run', '--model', 'cnn', '--dataset', 'imagenet']);
    expect(ds.code).toBe(2);
    expect(ds.stderr).toContain("unknown dataset 'imagenet'");
  });
});
