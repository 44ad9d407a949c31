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
import { ENT_STRUCTURE } from '../../sim/cost/tables/structure.ts';
import { makeTechnology } from '../../sim/cost/technology.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';
import { simulate } from '../../sim/simulate.ts';
import { runPipeline } from '../../sim/pipeline.ts';

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

  });

  /**
   * A 2x2 array, int8, GEMM 2x2x2 (one fold, 8 MACs), priced by hand from the Aladdin 40 nm
   * table (harvard-acc/ALADDIN common/power_func.h, 1 ns; no node scaling at 40 nm):
   *   int mult 32x32: 12.68341 pJ, 6351.338 um^2, quadratic in width (Accelergy aladdin.py):
   *     8x8 = 12.68341 / 16 pJ, 6351.338 / 16 um^2
   *   int add 32-bit: 0.2104162 pJ, 277.9792 um^2 (the int32 accumulator)
   *   register: 0.008999495 pJ and 5.981433 um^2 per bit
   *   EN-T encoder share of an int8 multiplier: 40.4 / 141.9 (the EN-T group's 22 nm areas)
   * Plain PE: MAC = mult + add; registers per MAC (os) = input 8 + weight 8 + acc 32 bits; PE
   * area = mult + adder + those 48 register bits. EN-T: the PE keeps mult x (1 - share); one
   * encoder per row encodes each element of the row operand entering the array (os: A, one per
   * ifmap SRAM read, 2 rows x K = 4; is: B, one per filter read, 2 rows x N = 4); the row
   * operand's register holds 3 bits per radix-4 digit: 12 instead of 8. Skew registers at the
   * edges: 1 word on each edge of a 2x2 array, 8 bits each (the encoder sits after them; the
   * column edge carries the weight in os, the partial sum, 32 bits, in is). is accumulates
   * 'below' (its default): one int32 adder under each of the 2 columns (area); with one row
   * fold no stored partial sum is merged, so no accumulator add is spent (energy).
   */
  it('prices a hand-worked 2x2 example with the table entries typed in (aladdin40)', async () => {
    const MUL8 = { pj: 12.68341 / 16, um2: 6351.338 / 16 };
    const ADD32 = { pj: 0.2104162, um2: 277.9792 };
    const REG = { pj: 0.008999495, um2: 5.981433 };
    const SHARE = 40.4 / 141.9;
    const macs = 8, encodes = 4;
    const expected = (df: 'os' | 'is', ent: boolean) => {
      const rowOpBits = ent ? 12 : 8;
      // os: the input hops right (row operand), the weight down, the accumulator is written;
      // is: the weight hops right (row operand), the partial sum down
      const regBitsPerMac = df === 'os' ? rowOpBits + 8 + 32 : rowOpBits + 32;
      const peRegBits = rowOpBits + 8 + 32;
      const mult = ent ? MUL8.pj * (1 - SHARE) : MUL8.pj;
      const skewBits = 8 + (df === 'os' ? 8 : 32);
      return {
        compute: macs * (mult + ADD32.pj) + (ent ? encodes * MUL8.pj * SHARE : 0),
        registers: macs * regBitsPerMac * REG.pj,
        pe_array: 4 * ((ent ? MUL8.um2 * (1 - SHARE) : MUL8.um2) + ADD32.um2 + peRegBits * REG.um2),
        other: skewBits * REG.um2 + (ent ? 2 * MUL8.um2 * SHARE : 0) + (df === 'is' ? 2 * ADD32.um2 : 0),
      };
    };
    const workload = { name: 'g', layers: [gemmLayer('g', 2, 2, 2)], repeats: [1], vectorOps: [] };
    for (const df of ['os', 'is'] as const) {
      const arch = { ...getPreset('edge'), array: { rows: 2, cols: 2 }, dataflow: df };
      for (const ent of [false, true]) {
        const r = await runPipeline({ arch, pe: getPe('int8', ent ? { reuse: 'ent' } : {}), workload, cost: { technology: 'aladdin40' } });
        const want = expected(df, ent);
        const what = `${df}${ent ? ' EN-T' : ''}`;
        expect(r.totals.macs).toBe(macs);
        expect(df === 'os' ? r.totals.sram.ifmap_reads : r.totals.sram.filter_reads).toBe(encodes);
        // 1e-12 relative: the sums are the same arithmetic in another order
        expect(r.totals.energy_pj.compute, `${what} compute`).toBeCloseTo(want.compute, 12);
        expect(r.totals.energy_pj.registers, `${what} registers`).toBeCloseTo(want.registers, 12);
        expect(r.totals.area_um2.pe_array, `${what} PE array`).toBeCloseTo(want.pe_array, 9);
        expect(r.totals.area_um2.other, `${what} edges`).toBeCloseTo(want.other, 9);
        expect(r.cost.pe.row_encoder?.operand).toBe(ent ? (df === 'is' ? 'weight' : 'input') : undefined);
        if (ent) {
          const plain = expected(df, false);
          // the effect reports the plain PE's figures beside EN-T's: same counts, same cycles
          expect(r.totals.reuse_effect?.saved.cycles).toBe(0);
          expect(r.totals.reuse_effect?.saved.area_um2).toBeCloseTo((plain.pe_array + plain.other) - (want.pe_array + want.other), 9);
        }
      }
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

  for (const technology of ['horowitz45', 'aladdin40']) {
    it(`the gap notes, ${technology}: generated from the points (gains, verdict against the paper, the tables used)`, async () => {
      const d = await entDesignPoints({ technology, dataflows: ['os'] });
      const text = d.gap.join('\n');
      const gains = d.points.map((p) => p.energy_gain_pct);
      for (const g of gains) expect(text).toContain(`${g >= 0 ? '+' : ''}${g.toFixed(1)}%`);
      const paperLo = Math.min(...d.points.map((p) => p.paper_energy_pct));
      expect(text).toContain(Math.max(...gains) < paperLo ? 'stays below the paper' : Math.min(...gains) > 17.5 ? 'is above the paper' : 'overlaps the paper');
      expect(text).toContain(`in ${technology} `);
      // the entries the notes name are the tables' own, never 'unknown'
      expect(text).toMatch(new RegExp(`multiplier priced from ${technology} \\(\\d+ nm\\)`));
      expect(text).not.toContain('unknown,');
    });
  }
});
