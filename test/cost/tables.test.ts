import { describe, expect, it } from 'vitest';
import { ALADDIN40 } from '../../sim/cost/tables/aladdin40.ts';
import { DRAM_TYPES } from '../../sim/cost/tables/dram.ts';
import { HOROWITZ45 } from '../../sim/cost/tables/horowitz45.ts';
import { NODE_SCALING } from '../../sim/cost/tables/node-scaling.ts';
import { FREEPDK45_SYNTHESIS, LMUL_CLAIMS } from '../../sim/cost/tables/papers-data.ts';
import { ENT_STRUCTURE, SRAM_STRUCTURE } from '../../sim/cost/tables/structure.ts';
import {
  areaNodeFactor, energyNodeFactor, interpolate, makeTechnology, technologyNames,
} from '../../sim/cost/technology.ts';
import type { Provenance } from '../../sim/cost/types.ts';

const RULES = ['linear', 'quadratic', 'powerlaw', 'none'];

function checkProvenance(where: string, p: Provenance & { scaling?: string }): void {
  expect(typeof p.source, where).toBe('string');
  expect(p.source.length, `${where}: source`).toBeGreaterThan(10);
  expect(Number.isFinite(p.node_nm), `${where}: node_nm`).toBe(true);
  expect(typeof p.verified, `${where}: verified`).toBe('boolean');
  if (!p.verified) expect((p.note ?? '').length, `${where}: an unverified entry says why`).toBeGreaterThan(0);
  if (p.scaling !== undefined) expect(RULES, `${where}: scaling rule`).toContain(p.scaling);
}

describe('technology tables: every entry has a source', () => {
  for (const t of [HOROWITZ45, ALADDIN40]) {
    it(`${t.name}`, () => {
      const entries = Object.entries(t.entries);
      expect(entries.length).toBeGreaterThan(3);
      for (const [name, e] of entries) {
        checkProvenance(`${t.name}.${name}`, e);
        if ('points' in e) {
          expect(e.points.length, `${t.name}.${name} points`).toBeGreaterThan(0);
          for (const p of e.points) expect(p.energy_pj, `${t.name}.${name}`).toBeGreaterThan(0);
        }
      }
    });
  }
  it('DRAM types, node scaling, structure, paper data', () => {
    for (const [name, e] of Object.entries(DRAM_TYPES)) {
      checkProvenance(`dram.${name}`, e);
      expect(e.unit).toBe('pJ/bit');
      expect(e.value).toBeGreaterThan(0);
    }
    checkProvenance('node scaling', NODE_SCALING);
    for (const [k, e] of Object.entries({ ...SRAM_STRUCTURE, ...ENT_STRUCTURE })) checkProvenance(k, e);
    checkProvenance('lmul claims', LMUL_CLAIMS);
    checkProvenance('synthesis', FREEPDK45_SYNTHESIS);
    expect(Object.keys(DRAM_TYPES)).toEqual(expect.arrayContaining(['lpddr4', 'ddr4', 'hbm2', 'gddr6', 'ddr3']));
  });
  it('every resolved entry of a run reports its provenance', () => {
    const tech = makeTechnology({ technology: 'horowitz45' });
    tech.fpMult(4, 3);
    tech.register(8);
    tech.sramAccess(64, 8, 1, true);
    tech.sramArea(64, 2);
    tech.leakagePerUm2Cycle(1000);
    const src = tech.sources();
    expect(src.map((s) => s.entry)).toEqual(expect.arrayContaining(['fp_mult', 'int_mult', 'int_add', 'register', 'sram_read', 'leakage_density']));
    // registers and leakage come from the fallback table, and say so
    expect(src.find((s) => s.entry === 'register')?.table).toBe('aladdin40');
    for (const s of src) expect(s.source.length).toBeGreaterThan(10);
  });
});

describe('width and node scaling', () => {
  const increasing = (f: (x: number) => number, xs: number[], what: string) => {
    for (let i = 1; i < xs.length; i++) expect(f(xs[i]), `${what} at ${xs[i]}`).toBeGreaterThan(f(xs[i - 1]));
  };
  const widths = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 16, 17, 24, 32, 48, 64];
  for (const name of technologyNames()) {
    it(`${name}: energies and areas grow with width`, () => {
      const t = makeTechnology({ technology: name });
      for (const key of ['energy_pj', 'area_um2'] as const) {
        increasing((w) => t.intAdd(w)[key], widths, `${name} int add ${key}`);
        increasing((w) => t.intMult(w, w)[key], widths, `${name} int mult ${key}`);
        increasing((w) => t.bitOp(w)[key], widths, `${name} bit op ${key}`);
        increasing((w) => t.register(w)[key], widths, `${name} register ${key}`);
        increasing((m) => t.fpMult(8, m)[key], [0, 1, 2, 3, 4, 7, 10, 15, 23], `${name} fp mult (mantissa) ${key}`);
        increasing((e) => t.fpMult(e, 7)[key], [2, 3, 4, 5, 8, 11], `${name} fp mult (exponent) ${key}`);
        increasing((m) => t.fpAdd(8, m)[key], [1, 2, 3, 7, 10, 23], `${name} fp add ${key}`);
      }
      increasing((kb) => t.sramAccess(kb, 64, 1, false), [0.5, 1, 8, 32, 64, 256, 1024, 8192], `${name} sram read`);
      increasing((w) => t.sramAccess(64, w, 1, false), [1, 4, 8, 16, 32, 64], `${name} sram width`);
      increasing((kb) => t.sramArea(kb, 1), [1, 8, 64, 1024], `${name} sram area`);
      expect(t.sramAccess(64, 8, 1, true)).toBeGreaterThan(t.sramAccess(64, 8, 1, false));
      expect(t.sramAccess(64, 8, 4, false)).toBeLessThan(t.sramAccess(64, 8, 1, false));
    });
  }
  it('reproduces the published points exactly', () => {
    const h = makeTechnology({ technology: 'horowitz45' });
    expect(h.intAdd(8).energy_pj).toBeCloseTo(0.03, 12);
    expect(h.intAdd(16).energy_pj).toBeCloseTo(0.05, 12);
    expect(h.intAdd(32).energy_pj).toBeCloseTo(0.1, 12);
    expect(h.intMult(8, 8).energy_pj).toBeCloseTo(0.2, 12);
    expect(h.intMult(32, 32).energy_pj).toBeCloseTo(3.1, 12);
    expect(h.fpMult(8, 23).energy_pj).toBeCloseTo(3.7, 9);
    expect(h.fpMult(5, 10).energy_pj).toBeCloseTo(1.1, 9);
    expect(h.fpMult(8, 23).area_um2).toBeCloseTo(7700, 6);
    expect(h.fpAdd(8, 23).energy_pj).toBeCloseTo(0.9, 12);
    expect(h.fpAdd(5, 10).energy_pj).toBeCloseTo(0.4, 12);
    const a = makeTechnology({ technology: 'aladdin40' });
    expect(a.intAdd(32).energy_pj).toBeCloseTo(0.2104162, 9);
    expect(a.fpMult(8, 23).energy_pj).toBeCloseTo(35.32019, 6);
    expect(a.fpMult(8, 23).area_um2).toBeCloseTo(8967.113, 4);
    // the SRAM fit stays within 5% of its three points
    for (const p of HOROWITZ45.entries.sram_read?.points ?? []) {
      expect(Math.abs(h.sramAccess(p.kb, 64, 1, false) / p.energy_pj - 1)).toBeLessThan(0.05);
    }
  });
  it('interpolation is log-log between points and follows the rule outside', () => {
    const pts = [{ x: 8, y: 1 }, { x: 32, y: 16 }];
    expect(interpolate(pts, 16, 'quadratic')).toBeCloseTo(4, 12);
    expect(interpolate(pts, 4, 'quadratic')).toBeCloseTo(0.25, 12);
    expect(interpolate(pts, 64, 'linear')).toBeCloseTo(32, 12);
  });
  it('node scaling: smaller nodes cost less energy and area, monotonically', () => {
    const nodes = [130, 90, 65, 45, 40, 32, 20, 16, 14, 10, 7];
    for (let i = 1; i < nodes.length; i++) {
      expect(energyNodeFactor(45, nodes[i], 0.9)).toBeLessThan(energyNodeFactor(45, nodes[i - 1], 0.9));
      expect(areaNodeFactor(45, nodes[i])).toBeLessThan(areaNodeFactor(45, nodes[i - 1]));
    }
    expect(energyNodeFactor(45, 45, 0.9)).toBe(1);
    expect(areaNodeFactor(45, 7)).toBeCloseTo(0.059, 12);
    const t7 = makeTechnology({ technology: 'horowitz45', node_nm: 7 });
    expect(t7.fpMult(8, 23).energy_pj).toBeLessThan(3.7);
  });
});
