import { describe, expect, it } from 'vitest';
import { gemmLayer, type Layer } from '../../sim/workload/layer.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { parseArch, type ArchConfig } from '../../sim/arch/schema.ts';
import { runCost, withCost, type EnergyBreakdown } from '../../sim/cost/run-cost.ts';
import { accumulatorPart, peCost } from '../../sim/cost/pe-cost.ts';
import { makeTechnology } from '../../sim/cost/technology.ts';
import { HOROWITZ45 } from '../../sim/cost/tables/horowitz45.ts';
import type { TechTable } from '../../sim/cost/types.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe, peNames } from '../../sim/pe/registry.ts';
import { simulate } from '../../sim/simulate.ts';

const LAYERS: Layer[] = [gemmLayer('fc1', 64, 48, 96), gemmLayer('fc2', 32, 80, 40)];

function arch(over: Record<string, unknown> = {}): ArchConfig {
  const base = JSON.parse(JSON.stringify(getPreset('edge'))) as Record<string, unknown>;
  return parseArch({ ...base, ...over }, 'test arch');
}

function run(a: ArchConfig, peName = a.pe) {
  const pe = getPe(peName);
  const r = simulate({ arch: { ...a, pe: peName }, pe, layers: LAYERS });
  return { result: r, cost: runCost(r, a, { pe }) };
}

function expectSums(e: EnergyBreakdown): void {
  expect(e.sram.total).toBeCloseTo(e.sram.ifmap + e.sram.filter + e.sram.ofmap, 6);
  expect(e.total).toBeCloseTo(e.compute + e.registers + e.sram.total + e.dram + e.vector + e.leakage, 6);
  for (const v of [e.compute, e.registers, e.sram.ifmap, e.sram.filter, e.sram.ofmap, e.dram, e.leakage]) expect(v).toBeGreaterThan(0);
}

describe('energy and area of a run', () => {
  it('totals equal the sum of their breakdown, per layer and in total', () => {
    const { result, cost } = run(arch());
    for (const l of cost.layers) expectSums(l.energy_pj);
    expectSums(cost.totals.energy_pj);
    const t = cost.totals.energy_pj;
    for (const k of ['compute', 'registers', 'dram', 'leakage', 'total'] as const) {
      expect(t[k]).toBeCloseTo(cost.layers.reduce((s, l) => s + l.energy_pj[k], 0), 6);
    }
    expect(t.vector).toBe(0); // no vector work in this run
    const a = cost.totals.area_um2;
    expect(a.total).toBeCloseTo(a.pe_array + a.sram.total + a.other, 6);
    expect(a.sram.total).toBeCloseTo(a.sram.ifmap + a.sram.filter + a.sram.ofmap + a.sram.unified, 6);
    const d = cost.totals.derived;
    expect(d.pj_per_mac).toBeCloseTo(t.total / result.totals.macs, 9);
    expect(d.tops_per_w).toBeCloseTo((2 * result.totals.macs) / t.total, 9);
    expect(d.edp_j_s).toBeCloseTo(t.total * 1e-12 * d.latency_s, 20);
    expect(d.latency_s).toBeCloseTo(result.totals.cycles / (result.arch.clock_mhz * 1e6), 15);
  });

  it('vector-unit work adds one fp32 multiply-add per element-op and leakage over its cycles', () => {
    const a = arch();
    const pe = getPe(a.pe);
    const plain = simulate({ arch: a, pe, layers: LAYERS });
    const withVec = simulate({ arch: a, pe, layers: LAYERS, vectorOps: [{ name: 'relu', op: 'relu', elements: 4096, opsPerElement: 1 }] });
    const c0 = runCost(plain, a, { pe }).totals.energy_pj, c1 = runCost(withVec, a, { pe }).totals.energy_pj;
    const tech = makeTechnology();
    const fma = tech.fpAdd(8, 23).energy_pj + tech.fpMult(8, 23).energy_pj;
    expect(c1.vector).toBeCloseTo(4096 * fma, 6);
    expectSums(c1);
    // the array layers are the same; only the vector energy and the leakage of its cycles are new
    expect(c1.compute).toBe(c0.compute);
    expect(c1.leakage).toBeGreaterThan(c0.leakage);
    expect(c1.total - c0.total).toBeCloseTo(c1.vector + (c1.leakage - c0.leakage), 6);
  });

  it('attaches energy_pj, area_um2 and derived to totals and layers', () => {
    const { result, cost } = run(arch());
    const c = withCost(result, cost);
    expect(c.totals.energy_pj.total).toBe(cost.totals.energy_pj.total);
    expect(c.totals.cycles).toBe(result.totals.cycles);
    expect(c.layers[1].energy_pj).toEqual(cost.layers[1].energy_pj);
    expect(c.layers[0].area_um2.total).toBe(cost.totals.area_um2.total);
    expect(c.cost.sources.length).toBeGreaterThan(5);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('a bigger array has a bigger PE array area; a bigger SRAM more area and dearer accesses', () => {
    const small = run(arch({ array: { rows: 8, cols: 8 } })).cost;
    const big = run(arch({ array: { rows: 16, cols: 16 } })).cost;
    expect(big.totals.area_um2.pe_array).toBeCloseTo(4 * small.totals.area_um2.pe_array, 6);
    expect(big.totals.area_um2.other).toBeGreaterThan(small.totals.area_um2.other);
    // same MACs: same compute energy, but for the partial sums merged under the array (edge is
    // ws, accumulating below): one accumulator add per partial-sum read, fewer on more rows
    const merge = accumulatorPart(getPe(arch().pe).acc, makeTechnology()).energy_pj;
    const reads = (a: ArchConfig) => run(a).result.totals.sram.ofmap_reads;
    const rb = reads(arch({ array: { rows: 16, cols: 16 } })), rs = reads(arch({ array: { rows: 8, cols: 8 } }));
    expect(rb).toBeLessThan(rs);
    expect(big.totals.energy_pj.compute - rb * merge).toBeCloseTo(small.totals.energy_pj.compute - rs * merge, 6);

    const s1 = run(arch({ sram: { ifmap_kb: 32, filter_kb: 32, ofmap_kb: 16 } })).cost;
    const s2 = run(arch({ sram: { ifmap_kb: 256, filter_kb: 256, ofmap_kb: 128 } })).cost;
    expect(s2.totals.area_um2.sram.total).toBeGreaterThan(s1.totals.area_um2.sram.total);
    expect(s2.totals.energy_pj.leakage).toBeGreaterThan(s1.totals.energy_pj.leakage);
    // the array's reads are the same count, each dearer
    expect(s2.layers[0].energy_pj.sram.filter).toBeGreaterThan(0);
    const banked = run(arch({ sram: { ifmap_kb: 256, filter_kb: 256, ofmap_kb: 128, banks: 8 } })).cost;
    expect(banked.totals.energy_pj.sram.total).toBeLessThan(s2.totals.energy_pj.sram.total);
    expect(banked.totals.area_um2.sram.total).toBeGreaterThan(s2.totals.area_um2.sram.total);
  });

  it("accumulation 'below' (ws / is) costs an accumulator add per partial-sum read and an adder under each column; 'top' neither", () => {
    const tech = makeTechnology();
    const acc = accumulatorPart(getPe('bf16').acc, tech);
    const top = run(arch({ pe: 'bf16', accumulate: 'top' })), below = run(arch({ pe: 'bf16', accumulate: 'below' }));
    expect(below.result.arch.accumulate).toBe('below');
    expect(top.result.totals.sram).toEqual(below.result.totals.sram);
    expect(top.result.totals.cycles).toBe(below.result.totals.cycles);
    const reads = below.result.totals.sram.ofmap_reads;
    expect(reads).toBeGreaterThan(0);
    expect(below.cost.totals.energy_pj.compute - top.cost.totals.energy_pj.compute).toBeCloseTo(reads * acc.energy_pj, 6);
    expect(below.cost.totals.area_um2.other - top.cost.totals.area_um2.other).toBeCloseTo(arch().array.cols * acc.area_um2, 6);
    // os: nothing leaves the array before K is done, nothing to merge
    expect(run(arch({ dataflow: 'os' })).result.arch.accumulate).toBe('top');
  });

  it('the PE kind changes compute energy and PE area in the expected order', () => {
    const a = arch();
    const c = (pe: string) => run(a, pe).cost.totals;
    const fp32 = c('fp32'), bf16 = c('bf16'), lbf16 = c('lmul-bf16'), int8 = c('int8'), e4m3 = c('fp8-e4m3');
    const l8 = c('lmul-fp8-e4m3'), xnor = c('xnor');
    expect(fp32.energy_pj.compute).toBeGreaterThan(bf16.energy_pj.compute);
    expect(bf16.energy_pj.compute).toBeGreaterThan(lbf16.energy_pj.compute);
    expect(e4m3.energy_pj.compute).toBeGreaterThan(l8.energy_pj.compute);
    expect(int8.energy_pj.compute).toBeGreaterThan(xnor.energy_pj.compute);
    expect(fp32.area_um2.pe_array).toBeGreaterThan(bf16.area_um2.pe_array);
    expect(bf16.area_um2.pe_array).toBeGreaterThan(lbf16.area_um2.pe_array);
    expect(int8.area_um2.pe_array).toBeGreaterThan(xnor.area_um2.pe_array);
    // wider words: more DRAM and SRAM energy
    expect(fp32.energy_pj.dram).toBeGreaterThan(int8.energy_pj.dram);
  });

  it('every registry PE kind has a cost in every technology', () => {
    for (const tech of ['horowitz45', 'aladdin40']) {
      const t = makeTechnology({ technology: tech });
      for (const name of peNames()) {
        const pc = peCost(getPe(name), t);
        expect(pc.mac_pj, `${tech} ${name}`).toBeGreaterThan(0);
        expect(pc.area_um2.total, `${tech} ${name}`).toBeGreaterThan(0);
      }
    }
    const t = makeTechnology();
    const ent = peCost(getPe('int8', { reuse: 'ent' }), t);
    const plain = peCost(getPe('int8'), t);
    expect(ent.mac_pj).toBeLessThan(plain.mac_pj);
    expect(ent.row_encoder?.area_um2).toBeGreaterThan(0);
  });

  it('DRAM type, technology and node change the energy', () => {
    const a = arch();
    const pe = getPe('int8');
    const r = simulate({ arch: a, pe, layers: LAYERS });
    const e = (o: Parameters<typeof runCost>[2]) => runCost(r, a, o).totals.energy_pj;
    expect(e({ dram_type: 'hbm2' }).dram).toBeLessThan(e({ dram_type: 'ddr4' }).dram);
    expect(e({ node_nm: 7 }).compute).toBeLessThan(e({}).compute);
    expect(e({ node_nm: 7 }).dram).toBe(e({}).dram);
    expect(e({ technology: 'aladdin40' }).compute).not.toBe(e({}).compute);
  });
});

describe('bad input', () => {
  const a = arch();
  const r = simulate({ arch: a, pe: getPe('int8'), layers: LAYERS });
  it('an unknown technology lists the valid ones', () => {
    expect(() => runCost(r, a, { technology: 'tsmc3' })).toThrow(InputError);
    expect(() => runCost(r, a, { technology: 'tsmc3' })).toThrow(/unknown technology 'tsmc3'; valid: horowitz45, aladdin40/);
  });
  it('an unknown DRAM type lists the valid ones', () => {
    expect(() => runCost(r, a, { dram_type: 'ddr9' })).toThrow(InputError);
    expect(() => runCost(r, a, { dram_type: 'ddr9' })).toThrow(/unknown DRAM type 'ddr9'.*lpddr4.*hbm2/);
    const bad = parseArch({ ...JSON.parse(JSON.stringify(a)), dram: { bandwidth: 8, latency: 0, type: 'rdram' } });
    expect(() => runCost(r, bad)).toThrow(/unknown DRAM type 'rdram'/);
  });
  it('a node outside the scaling table', () => {
    expect(() => runCost(r, a, { node_nm: 3 })).toThrow(/outside the scaling table/);
  });
  it('a missing table entry for a PE kind names the entry and the PE need', () => {
    const noFloat: TechTable = {
      ...HOROWITZ45, name: 'no-float', fallback: undefined,
      entries: { ...HOROWITZ45.entries, fp_mult: undefined, fp_add: undefined },
    };
    const pe = getPe('fp16');
    const rf = simulate({ arch: { ...a, pe: 'fp16' }, pe, layers: LAYERS });
    expect(() => runCost(rf, a, { technology: noFloat, pe })).toThrow(InputError);
    expect(() => runCost(rf, a, { technology: noFloat, pe })).toThrow(/technology 'no-float' has no 'fp_mult' entry \(needed for a float multiplier/);
    // an integer PE does not need it, but registers do
    expect(() => runCost(r, a, { technology: noFloat })).toThrow(/has no 'register' entry/);
  });
});
