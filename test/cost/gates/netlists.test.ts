/**
 * The committed netlists (rtl/netlists/): every unit the synthesis would make is there with the
 * source key of today's RTL, the manifest's cell counts are the files', and the netlists compute
 * what bitweave's PE arithmetic computes, bit for bit, through the gate evaluator:
 * every operand pair of every 8-bit kind, corners plus seeded random pairs of the wider ones
 * (2^17 in `npm run gates-check`). One small unit is synthesized again with Yosys and must come
 * out identical.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateCheck, checkedDesigns } from '../../../rtl/gates/check.ts';
import { committedLibrary, designKeyFor, NETLIST_DIR, readManifest, readNetlist } from '../../../rtl/gates/library.ts';
import { netlistText, sourceKey, synthesizeUnit } from '../../../rtl/gates/synth.ts';
import { gateUnits } from '../../../rtl/gates/units.ts';
import { buildPeRtl } from '../../../rtl/gen/pe.ts';
import { findTarget } from '../../../rtl/gen/catalogue.ts';
import { cellCounts, compileNetlist } from '../../../sim/cost/gates/netlist.ts';
import { InputError } from '../../../sim/errors.ts';

const lib = committedLibrary();
const designs = checkedDesigns(lib);
const narrow = designs.filter((d) => {
  const w = buildPeRtl(findTarget(d)).widths;
  return w.a + w.b <= 16;
});
const wide = designs.filter((d) => !narrow.includes(d));

describe('committed netlists', () => {
  it('every unit of today\'s RTL is committed with its source key, and the manifest counts its cells', () => {
    const { units, designs: ds } = gateUnits();
    const m = readManifest();
    expect(Object.keys(m.units).sort()).toEqual(units.map((u) => u.id).sort());
    for (const u of units) {
      const n = readNetlist(u.id);
      expect(n.source, `${u.id} is stale: run npm run gates-synth`).toBe(sourceKey(u));
      expect(m.units[u.id].source).toBe(n.source);
      const c = compileNetlist(n);
      const counts = Object.fromEntries(Object.entries(cellCounts(c)).filter(([, v]) => v > 0));
      expect(counts).toEqual(n.counts);
      expect(m.units[u.id].cells).toBe(c.type.length);
    }
    expect(m.designs.map((d) => d.design)).toEqual(ds.map((d) => d.design));
  });

  it('uses only the generic gate set and flip-flops', () => {
    for (const id of Object.keys(readManifest().units)) {
      const types = Object.keys(readNetlist(id).counts);
      for (const t of types) expect(['NOT', 'AND', 'NAND', 'NOR', 'XOR', 'DFF']).toContain(t);
    }
  });

  it('array cells hold the registers the RTL declares (os: A, B, accumulator and four flags)', () => {
    const r = lib.registers(lib.design('int8').cells.os as string);
    expect(r).toEqual({ a: 8, a_v: 1, a_f: 1, a_l: 1, b: 8, b_v: 1, acc: 32 });
    const e = lib.registers(lib.design('int8+ent').cells.ws as string);
    expect(e.x).toBe(12); // the Booth-encoded A: 4 digits x 3 bits
    expect(e.w).toBe(8);
    expect(e.p_q).toBe(32);
  });

  it('synthesizing a unit again gives the committed netlist, bit for bit', async () => {
    const u = gateUnits().units.find((x) => x.id === 'cal.int8-add');
    expect(u).toBeDefined();
    const { netlist } = await synthesizeUnit(u as NonNullable<typeof u>);
    expect(netlistText(netlist)).toBe(readFileSync(join(NETLIST_DIR, 'cal.int8-add.json'), 'utf8'));
  }, 120_000);

  it('maps a PE and its options to its design, and refuses one without netlists', () => {
    expect(designKeyFor('int8')).toBe('int8');
    expect(designKeyFor('int8', { reuse: 'ent' })).toBe('int8+ent');
    expect(designKeyFor('fp8-e4m3', { acc: 'fp32' })).toBe('fp8-e4m3');
    expect(designKeyFor('fp8-e4m3', { acc: 'bf16' })).toBe('fp8-e4m3+acc-bf16');
    expect(designKeyFor('lmul-m4', { lmulRound: 'rne' })).toBe('lmul-m4');
    expect(() => designKeyFor('fp8-e4m3', { acc: 'e5m2' })).toThrow(InputError);
    // a limited accumulator register is not the fp32 adder of the netlists; block PEs have none
    expect(designKeyFor('fp8-e4m3', { accBits: 24, accRound: 'rne' })).toBe('fp8-e4m3');
    expect(() => designKeyFor('fp8-e4m3', { accBits: 14 })).toThrow(/no gate-level netlists/);
    expect(() => designKeyFor('fp8-e4m3', { product: 'fp32', accPromote: 128 })).toThrow(/no gate-level netlists/);
    expect(() => designKeyFor('fp8-e4m3', { accRound: 'trunc' })).toThrow(/no gate-level netlists/);
    expect(() => designKeyFor('mxfp4')).toThrow(/no gate-level netlists/);
    expect(() => lib.design('no-such')).toThrow(/designs with netlists/);
  });
});

describe('gates equal the PE arithmetic', () => {
  it('covers every design of the catalogue', () => {
    expect(designs.length).toBe(gateUnits().designs.length);
    expect(narrow).toEqual(expect.arrayContaining(['int8', 'int8+ent', 'fp8-e4m3', 'fp8-e5m2', 'lmul-fp8-e4m3', 'fp8-e4m3+ent', 'xnor-popcount-8']));
  });

  it.each(narrow)('%s: every operand pair, product and accumulator step', (d) => {
    const r = gateCheck(d, 0, 1, lib);
    expect(r.exhaustive).toBe(true);
    expect(r.examples).toEqual([]);
    expect(r.productMismatches).toBe(0);
    if (r.accMismatches !== null) expect(r.accMismatches).toBe(0);
  }, 60_000);

  it.each(wide)('%s: corner pairs and 4096 seeded random pairs', (d) => {
    const r = gateCheck(d, 4096, 7, lib);
    expect(r.exhaustive).toBe(false);
    expect(r.examples).toEqual([]);
    expect(r.productMismatches).toBe(0);
    if (r.accMismatches !== null) expect(r.accMismatches).toBe(0);
  }, 60_000);
});
