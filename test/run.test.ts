/** simulate(): totals, JSON round trip, the partial-sum format in bytes, and a memory bound. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTopologyCsv } from '../models/import/scalesim-csv.ts';
import { gemmLayer } from '../sim/workload/layer.ts';
import { getPreset } from '../sim/arch/presets.ts';
import { BF16 } from '../sim/pe/formats.ts';
import { getPe } from '../sim/pe/registry.ts';
import { simulate } from '../sim/simulate.ts';

const TOPO = new URL('../models/data/scalesim/topologies/conv_nets/', import.meta.url);

describe('simulate', () => {
  const layers = parseTopologyCsv(readFileSync(new URL('Resnet18.csv', TOPO), 'utf8'), { file: 'Resnet18.csv', padding: 'same' });
  const pe = getPe('int8');

  it('totals are the sums of the layers, and the result survives JSON', () => {
    const r = simulate({ arch: getPreset('edge'), pe, layers });
    expect(r.layers).toHaveLength(21);
    expect(r.totals.cycles).toBe(r.layers.reduce((s, l) => s + l.cycles, 0));
    expect(r.totals.stall_cycles).toBe(r.layers.reduce((s, l) => s + l.stall_cycles, 0));
    expect(r.totals.dram.compulsory_bytes).toBe(r.layers.reduce((s, l) => s + l.dram.compulsory_bytes, 0));
    // ResNet-18's MACs with 'same' padding: 1.81 GMACs (the usual figure, FC included)
    expect(r.totals.macs / 1e9).toBeCloseTo(1.814, 2);
    for (const l of r.layers) {
      expect(l.cycles).toBe(l.compute_cycles + l.stall_cycles);
      expect(l.utilization).toBeLessThanOrEqual(1);
      expect(l.mapping_efficiency).toBeLessThanOrEqual(1);
    }
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('a narrower partial-sum format moves fewer bytes when partial sums spill', () => {
    const fp32 = getPe('fp32');
    const arch = { ...getPreset('edge'), dataflow: 'ws' as const };
    const l = [gemmLayer('g', 512, 64, 256)];
    const wide = simulate({ arch, pe: fp32, layers: l }).layers[0];
    const narrow = simulate({ arch, pe: fp32, layers: l, psumFormat: BF16 }).layers[0];
    expect(wide.dram.ofmap_read_bytes).toBeGreaterThan(0);
    expect(narrow.dram.ofmap_write_bytes).toBeLessThan(wide.dram.ofmap_write_bytes);
    expect(narrow.dram.ofmap_read_bytes).toBeLessThan(wide.dram.ofmap_read_bytes);
  });

  it('a timing-only ResNet-50 keeps memory small (no per-cycle state)', () => {
    const r50 = parseTopologyCsv(readFileSync(new URL('Resnet50.csv', TOPO), 'utf8'), { file: 'Resnet50.csv', padding: 'same' });
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    for (const df of ['os', 'ws', 'is'] as const) {
      simulate({ arch: { ...getPreset('scale'), dataflow: df }, pe, layers: r50, onLayer: () => { peak = Math.max(peak, process.memoryUsage().heapUsed); } });
    }
    expect((peak - before) / 2 ** 20).toBeLessThan(64);
    expect(process.memoryUsage().rss / 2 ** 20).toBeLessThan(400);
  });
});
