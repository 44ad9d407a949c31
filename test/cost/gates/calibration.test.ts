/**
 * The calibration against Horowitz (ISSCC 2014, 45 nm): one energy and one area factor, fitted on
 * the 8-bit integer add and multiply only; the float operators are predictions. The raw energy
 * of the fitted adder is recomputed here by a scalar, one-vector-at-a-time simulation of its
 * netlist (independent of the bit-parallel evaluator).
 */
import { describe, expect, it } from 'vitest';
import { committedLibrary } from '../../../rtl/gates/library.ts';
import { calibrate, calibrationFactors, rawEnergyPerOp } from '../../../sim/cost/gates/calibrate.ts';
import { CELL_CODE, DFF_CODE } from '../../../sim/cost/gates/netlist.ts';
import { HOROWITZ45 } from '../../../sim/cost/tables/horowitz45.ts';
import { makeRng } from '../../../sim/random.ts';

const lib = committedLibrary();

/** Scalar reference: every vector evaluated on its own, net by net, toggles counted per stream. */
function scalarEnergy(unit: string, gen: Record<string, (r: ReturnType<typeof makeRng>) => number>, lanes: number, steps: number): number {
  const n = lib.unit(unit);
  const p = lib.priced(unit);
  const rng = makeRng(1);
  const vals: Record<string, number[]> = {};
  for (const [port, g] of Object.entries(gen)) vals[port] = Array.from({ length: lanes * steps }, () => g(rng));
  let e = 0;
  for (let l = 0; l < lanes; l++) {
    let prev: Uint8Array | undefined;
    for (let t = 0; t < steps; t++) {
      const v = new Uint8Array(n.nets);
      v[1] = 1;
      for (const [port, nets] of Object.entries(n.inputs)) nets.forEach((x, j) => (v[x] = (vals[port][l * steps + t] >>> j) & 1));
      for (let i = 0; i < n.type.length; i++) {
        const x = v[n.a[i]], y = v[n.b[i]];
        const t2 = n.type[i];
        if (t2 === DFF_CODE) throw new Error('combinational units only');
        v[n.out[i]] = t2 === CELL_CODE.NOT ? 1 - x : t2 === CELL_CODE.AND ? x & y : t2 === CELL_CODE.NAND ? 1 - (x & y)
          : t2 === CELL_CODE.NOR ? 1 - (x | y) : t2 === CELL_CODE.XOR ? x ^ y : NaN;
      }
      if (prev) for (let x = 2; x < n.nets; x++) if (v[x] !== prev[x]) e += p.toggle_pj[x];
      prev = v;
    }
  }
  return e / (lanes * (steps - 1));
}

describe('calibration', () => {
  const c = calibrate(lib);

  it('fits on the 8-bit integer add and multiply only, and predicts the float operators', () => {
    expect(c.rows.filter((r) => r.role === 'fit').map((r) => r.operator)).toEqual(['8-bit integer add', '8-bit integer multiply']);
    expect(c.rows.filter((r) => r.role === 'predict').map((r) => r.operator)).toEqual(['fp16 add', 'fp16 multiply', 'fp32 add', 'fp32 multiply']);
    const [add, mul] = c.rows;
    // least squares in log space through two points: the geometric mean of the two ratios
    expect(c.energy_scale).toBeCloseTo(Math.sqrt((0.03 / add.raw_pj) * (0.2 / mul.raw_pj)), 12);
    expect(c.area_scale).toBeCloseTo(Math.sqrt((36 / add.raw_area_um2) * (282 / mul.raw_area_um2)), 12);
    expect(calibrationFactors(lib)).toEqual({ energy_scale: c.energy_scale, area_scale: c.area_scale });
    // the factors stored with the netlists (what runs use) are today's computation
    expect(lib.calibration).toEqual({ energy_scale: c.energy_scale, area_scale: c.area_scale });
    // the Horowitz figures compared with are the table's
    const h = HOROWITZ45.entries;
    expect(c.rows.map((r) => r.horowitz_pj)).toEqual([
      h.int_add?.points[0].energy_pj, h.int_mult?.points[0].energy_pj, h.fp_add?.points[0].energy_pj, h.fp_mult?.points[0].energy_pj,
      h.fp_add?.points[1].energy_pj, h.fp_mult?.points[1].energy_pj,
    ]);
    for (const r of c.rows) {
      expect(r.energy_pj).toBeCloseTo(c.energy_scale * r.raw_pj, 12);
      expect(r.energy_error_pct).toBeCloseTo((100 * (r.energy_pj - r.horowitz_pj)) / r.horowitz_pj, 9);
      expect(Number.isFinite(r.area_error_pct)).toBe(true);
      expect(r.area_um2).toBeCloseTo(c.area_scale * r.raw_area_um2, 9);
      expect(r.area_error_pct).toBeCloseTo((100 * (r.area_um2 - r.horowitz_area_um2)) / r.horowitz_area_um2, 9);
    }
    // a log-space fit through two points leaves errors that cancel: the two ratios multiply to 1
    expect((add.energy_pj / add.horowitz_pj) * (mul.energy_pj / mul.horowitz_pj)).toBeCloseTo(1, 12);
    expect((add.area_um2 / add.horowitz_area_um2) * (mul.area_um2 / mul.horowitz_area_um2)).toBeCloseTo(1, 12);
    expect([add.horowitz_area_um2, mul.horowitz_area_um2]).toEqual([36, 282]);
  });

  it('the raw energy of the 8-bit adder equals a scalar simulation of its netlist', () => {
    const gen = { acc_in: (r: ReturnType<typeof makeRng>) => r.int(256), p: (r: ReturnType<typeof makeRng>) => r.int(256) };
    // same generator order as calibrate's (ports in declaration order, one value after another per port)
    const fast = rawEnergyPerOp(lib, lib.extra('cal.int8-add'), { acc_in: (r) => Math.floor(r.next() * 256), p: (r) => Math.floor(r.next() * 256) });
    const slow = scalarEnergy(lib.extra('cal.int8-add'), gen, 32, 512);
    expect(fast).toBeGreaterThan(0);
    expect(slow).toBeCloseTo(fast, 12);
  });

  it('a multiplier costs more than an adder and fp32 more than fp16, before and after scaling', () => {
    const by = Object.fromEntries(c.rows.map((r) => [r.operator, r]));
    expect(by['8-bit integer multiply'].raw_pj).toBeGreaterThan(by['8-bit integer add'].raw_pj);
    expect(by['fp32 multiply'].raw_pj).toBeGreaterThan(by['fp16 multiply'].raw_pj);
    expect(by['fp32 add'].raw_pj).toBeGreaterThan(by['fp16 add'].raw_pj);
    expect(c.energy_scale).toBeGreaterThan(0.1);
    expect(c.energy_scale).toBeLessThan(1);
  });
});
