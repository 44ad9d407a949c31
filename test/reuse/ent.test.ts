/**
 * EN-T on the array: bit-identical outputs to the same PE without reuse on random shapes and
 * every dataflow; the cost model counts encoders per row (per broadcast fetch), wider
 * broadcast registers and the PE multiplier without its encoder; the three design points.
 */
import { describe, expect, it } from 'vitest';
import { gemmLayer, convLayer } from '../../sim/workload/layer.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { entDesignPoints, entDesignPointsMarkdown } from '../../sim/cost/ent-design-points.ts';
import { encodedBits, peCost, regBits } from '../../sim/cost/pe-cost.ts';
import { runCost } from '../../sim/cost/run-cost.ts';
import { ENT_STRUCTURE } from '../../sim/cost/tables/structure.ts';
import { makeTechnology } from '../../sim/cost/technology.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';
import { simulate } from '../../sim/simulate.ts';

const DATAFLOWS = ['os', 'ws', 'is'] as const;

describe('EN-T on the array', () => {
  it('gives bit-identical outputs to the same PE without reuse (random shapes, every dataflow)', () => {
    const rng = makeRng(11);
    const pes = ['int8', 'int4', 'fp8-e4m3', 'bf16', 'fp16'];
    let checked = 0;
    for (const df of DATAFLOWS) {
      for (const name of pes) {
        const m = 3 + rng.int(20), n = 2 + rng.int(20), k = 5 + rng.int(40);
        const rows = 2 + rng.int(7), cols = 2 + rng.int(7);
        const arch = { ...getPreset('edge'), array: { rows, cols }, dataflow: df };
        const layers = [
          gemmLayer('g', m, n, k),
          convLayer({ name: 'c', inH: 5, inW: 6, kH: 3, kW: 3, channels: 2 + rng.int(3), filters: 2 + rng.int(5), padding: 'same' }),
        ];
        const seed = 1 + rng.int(1000);
        const plain = simulate({ arch, pe: getPe(name), layers, functional: true, seed });
        const ent = simulate({ arch, pe: getPe(name, { reuse: 'ent' }), layers, functional: true, seed });
        expect(ent.arch.reuse).toBe('ent');
        expect(plain.arch.reuse).toBeUndefined();
        for (let i = 0; i < layers.length; i++) {
          expect(ent.layers[i].output?.checksum, `${name} ${df} ${layers[i].name}`).toBe(plain.layers[i].output?.checksum);
          expect(ent.layers[i].cycles).toBe(plain.layers[i].cycles);
          checked++;
        }
      }
    }
    expect(checked).toBe(30);
  });

  it('costs one encoder per row, per broadcast fetch, wider broadcast registers and a PE multiplier without its encoder', () => {
    const tech = makeTechnology();
    const plain = getPe('int8'), ent = getPe('int8', { reuse: 'ent' });
    const share = ENT_STRUCTURE.encoder_share.value;
    const mult = tech.intMult(8, 8);
    const pc = peCost(ent, tech, { dataflow: 'os' });
    expect(pc.multiply[0].area_um2).toBeCloseTo(mult.area_um2 * (1 - share), 9);
    expect(pc.row_encoder?.energy_pj).toBeCloseTo(mult.energy_pj * share, 12);
    // 3 bits per radix-4 digit on the operand that streams along the rows
    expect(encodedBits(ent.input)).toBe(12);
    expect(regBits(ent, 'os')).toEqual({ input: 12, weight: 8, acc: 32 });
    expect(regBits(ent, 'ws')).toEqual({ input: 12, weight: 8, acc: 32 });
    expect(regBits(ent, 'is')).toEqual({ input: 8, weight: 12, acc: 32 });
    expect(regBits(plain, 'os')).toEqual({ input: 8, weight: 8, acc: 32 });
    expect(encodedBits(getPe('bf16').input)).toBe(1 + 8 + 3 * 5);
    expect(encodedBits(getPe('int4').input)).toBe(6);
    // the float PEs: the encoder leaves the mantissa multiplier
    const bf = peCost(getPe('bf16', { reuse: 'ent' }), tech);
    expect(bf.row_encoder?.area_um2).toBeCloseTo(tech.intMult(8, 8).area_um2 * share, 9);
    expect(bf.mac_pj).toBeLessThan(peCost(getPe('bf16'), tech).mac_pj);

    for (const df of DATAFLOWS) {
      const arch = { ...getPreset('edge'), array: { rows: 8, cols: 16 }, dataflow: df };
      const layers = [gemmLayer('g', 40, 50, 60)];
      const rp = simulate({ arch, pe: plain, layers }), re = simulate({ arch, pe: ent, layers });
      const cp = runCost(rp, arch, { pe: plain }), ce = runCost(re, arch, { pe: ent });
      const encodes = df === 'is' ? re.totals.sram.filter_reads : re.totals.sram.ifmap_reads;
      const pcd = peCost(ent, tech, { dataflow: df });
      expect(ce.totals.energy_pj.compute).toBeCloseTo(re.totals.macs * pcd.mac_pj + encodes * (pcd.row_encoder?.energy_pj ?? 0), 6);
      // area: R encoders beside the PEs
      expect(ce.totals.area_um2.other - cp.totals.area_um2.other).toBeCloseTo(8 * (pcd.row_encoder?.area_um2 ?? 0), 6);
      expect(ce.cost.pe.row_encoder?.operand).toBe(df === 'is' ? 'weight' : 'input');
      // the effect: same cycles and DRAM bytes, the plain PE's energy and area beside
      const eff = ce.totals.reuse_effect;
      expect(eff?.kind).toBe('ent');
      expect(eff?.without.energy_pj).toBeCloseTo(cp.totals.energy_pj.total, 6);
      expect(eff?.without.area_um2).toBeCloseTo(cp.totals.area_um2.total, 6);
      expect(eff?.saved.cycles).toBe(0);
      expect(eff?.saved.area_um2).toBeGreaterThan(0);
    }
  });

  it('reproduces the three design points: gains positive, computed from the tables, gap to the paper stated', async () => {
    const d = await entDesignPoints();
    expect(d.points).toHaveLength(9);
    const os = d.points.filter((p) => p.dataflow === 'os');
    expect(os.map((p) => p.macs_per_cycle)).toEqual([128, 512, 2048]);
    expect(os.map((p) => p.peak_gops)).toEqual([256, 1024, 4096]);
    expect(os.map((p) => p.paper_energy_pct)).toEqual([13.0, 17.5, 15.5]);
    expect(os.map((p) => p.paper_area_pct)).toEqual([8.7, 12.2, 11.0]);
    for (const p of d.points) {
      expect(p.energy_gain_pct).toBeGreaterThan(0);
      expect(p.area_gain_pct).toBeGreaterThan(0);
      expect(p.energy_gain_pct).toBeCloseTo(100 * (p.plain.array.energy_pj / p.ent.array.energy_pj - 1), 9);
      expect(p.area_gain_pct).toBeCloseTo(100 * (p.plain.array.area_um2 / p.ent.array.area_um2 - 1), 9);
      expect(p.energy_gap_pp).toBeCloseTo(p.energy_gain_pct - p.paper_energy_pct, 9);
      // the ceiling the tables allow: the encoder share of the multiplier's part of the array energy
      expect(p.energy_gain_pct).toBeLessThan(100 * p.per_mac_pj.multiplier_saved / p.per_mac_pj.plain_array / 0.9);
    }
    expect(d.gap.length).toBeGreaterThanOrEqual(3);
    const md = entDesignPointsMarkdown(d);
    expect(md).toContain('| 1 TOPS | os | 16x32 | 512 |');
    expect(md).toContain('Why the gap');
    console.log(os.map((p) => `${p.name} ${p.rows}x${p.cols}: energy ${p.energy_gain_pct.toFixed(1)}% (paper ${p.paper_energy_pct}%), ` +
      `area ${p.area_gain_pct.toFixed(1)}% (paper ${p.paper_area_pct}%)`).join('\n'));
  });
});
