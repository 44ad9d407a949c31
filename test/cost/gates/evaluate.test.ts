/**
 * The bit-parallel gate evaluator on netlists small enough to count by hand: values, toggles
 * per net, flip-flops, lanes across word boundaries, multi-word ports; the netlist checks; and
 * the pricing of a net (internal energy + 1/2 C V^2 of its pins and wire) against the library
 * numbers written out here.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../sim/errors.ts';
import { CELL_CODE, compileNetlist, NETLIST_FORMAT, type Netlist } from '../../../sim/cost/gates/netlist.ts';
import { evaluateStreams, popcount32 } from '../../../sim/cost/gates/evaluate.ts';
import { flipFlopPj, priceNetlist, toggleEnergy, wireCapFf } from '../../../sim/cost/gates/cells.ts';

function netlist(over: Partial<Netlist>): Netlist {
  return {
    format: NETLIST_FORMAT, id: 'test', kind: 'comb', description: 'test', source: 'x', yosys: 'none', script: 'none',
    nets: 2, inputs: {}, outputs: {}, cells: [], counts: {}, ...over,
  };
}

const { NOT, AND, NAND, NOR, XOR, DFF } = CELL_CODE;

// half adder: s = a ^ b (net 4), c = a & b (net 5); a = net 2, b = net 3
const HALF_ADDER = netlist({ nets: 6, inputs: { a: [2], b: [3] }, outputs: { s: [4], c: [5] }, cells: [XOR, 4, 2, 3, AND, 5, 2, 3] });

describe('gate evaluator', () => {
  it('a half adder over a hand-written stream: values and toggles per net', () => {
    const n = compileNetlist(HALF_ADDER);
    // one lane, steps: (a, b) = (0,0) (1,0) (1,1) (0,1) (0,1)
    const a = Uint32Array.from([0, 1, 1, 0, 0]), b = Uint32Array.from([0, 0, 1, 1, 1]);
    const r = evaluateStreams(n, { a, b }, 1, 5, { outputs: ['s', 'c'] });
    expect([...r.outputs.s]).toEqual([0, 1, 0, 1, 1]);
    expect([...r.outputs.c]).toEqual([0, 0, 1, 0, 0]);
    // a: 0->1->1->0->0 = 2 toggles; b: 0->0->1->1->1 = 1; s: 0,1,0,1,1 = 3; c: 0,0,1,0,0 = 2
    expect(r.toggles[2]).toBe(2);
    expect(r.toggles[3]).toBe(1);
    expect(r.toggles[4]).toBe(3);
    expect(r.toggles[5]).toBe(2);
    expect(r.transitions).toBe(4);
  });

  it('lanes are independent streams, also across the 32-lane word boundary (33 lanes)', () => {
    const n = compileNetlist(HALF_ADDER);
    const lanes = 33, steps = 3;
    const a = new Uint32Array(lanes * steps), b = new Uint32Array(lanes * steps);
    // lane l: a toggles every step when l is odd, b is 1 throughout for l >= 32
    for (let l = 0; l < lanes; l++) {
      for (let t = 0; t < steps; t++) {
        a[l * steps + t] = l % 2 === 1 ? t % 2 : 0;
        b[l * steps + t] = l >= 32 ? 1 : 0;
      }
    }
    const r = evaluateStreams(n, { a, b }, lanes, steps, { outputs: ['s', 'c'] });
    const oddLanes = 16; // lanes 1, 3, ..., 31 (lane 32 is even)
    expect(r.toggles[2]).toBe(oddLanes * 2);
    expect(r.toggles[3]).toBe(0);
    // s = a ^ b: in lanes < 32 it follows a; in lane 32 it is 1 throughout
    expect(r.toggles[4]).toBe(oddLanes * 2);
    for (let t = 0; t < steps; t++) expect(r.outputs.s[32 * steps + t]).toBe(1);
    expect(r.transitions).toBe(lanes * (steps - 1));
  });

  it('flip-flops hold the previous step\'s D (a two-stage shift register)', () => {
    // q1 = DFF(d), q2 = DFF(q1), nq2 = NOT(q2)
    const n = compileNetlist(netlist({ nets: 6, inputs: { d: [2] }, outputs: { q2: [4], nq2: [5] }, cells: [DFF, 3, 2, 0, DFF, 4, 3, 0, NOT, 5, 4, 0] }));
    const r = evaluateStreams(n, { d: Uint32Array.from([1, 0, 1, 1, 0]) }, 1, 5, { outputs: ['q2', 'nq2'] });
    expect([...r.outputs.q2]).toEqual([0, 0, 1, 0, 1]);
    expect([...r.outputs.nq2]).toEqual([1, 1, 0, 1, 0]);
    expect(r.toggles[3]).toBe(3); // q1: 0,1,0,1,1
    expect(r.toggles[4]).toBe(3); // q2: 0,0,1,0,1
  });

  it('ports wider than 32 bits take two words per value, LSB word first', () => {
    // y = x[33] NAND x[0]
    const bits = Array.from({ length: 34 }, (_, i) => 2 + i);
    const n = compileNetlist(netlist({ nets: 37, inputs: { x: bits }, outputs: { y: [36] }, cells: [NAND, 36, 35, 2] }));
    const x = Uint32Array.from([1, 2, 1, 0, 0, 2]); // three steps: (x0 = 1, x33 = 1), (1, 0), (0, 1)
    const r = evaluateStreams(n, { x }, 1, 3, { outputs: ['y'] });
    expect([...r.outputs.y]).toEqual([0, 1, 1]);
  });

  it('agrees with a scalar one-vector-at-a-time evaluation on random streams (fast-check)', () => {
    // y = NOR(a0 & a1, a2 ^ a1), z = NOT y
    const n = compileNetlist(netlist({
      nets: 9, inputs: { a: [2, 3, 4] }, outputs: { y: [7], z: [8] },
      cells: [AND, 5, 2, 3, XOR, 6, 4, 3, NOR, 7, 5, 6, NOT, 8, 7, 0],
    }));
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 2, maxLength: 70 }), fc.integer({ min: 1, max: 3 }), (vals, lanes) => {
      const steps = Math.floor(vals.length / lanes);
      if (steps < 1) return;
      const a = Uint32Array.from(vals.slice(0, lanes * steps));
      const r = evaluateStreams(n, { a }, lanes, steps, { outputs: ['y'] });
      let toggles = 0;
      for (let l = 0; l < lanes; l++) {
        let prev = -1;
        for (let t = 0; t < steps; t++) {
          const v = a[l * steps + t];
          const y = ((v & 1) & ((v >> 1) & 1)) | (((v >> 2) & 1) ^ ((v >> 1) & 1)) ? 0 : 1;
          expect(r.outputs.y[l * steps + t]).toBe(y);
          if (prev >= 0 && prev !== y) toggles++;
          prev = y;
        }
      }
      expect(r.toggles[7]).toBe(toggles);
    }), { numRuns: 200 });
  });

  it('refuses netlists out of topological order, with two drivers or undriven outputs', () => {
    expect(() => compileNetlist(netlist({ nets: 5, inputs: { a: [2] }, outputs: {}, cells: [NOT, 4, 3, 0, NOT, 3, 2, 0] }))).toThrow(InputError);
    expect(() => compileNetlist(netlist({ nets: 4, inputs: { a: [2] }, outputs: {}, cells: [NOT, 3, 2, 0, NOT, 3, 2, 0] }))).toThrow(/two drivers/);
    expect(() => compileNetlist(netlist({ nets: 4, inputs: { a: [2] }, outputs: { y: [3] }, cells: [] }))).toThrow(/undriven/);
    expect(() => compileNetlist(netlist({ nets: 4, inputs: { a: [2] }, outputs: {}, cells: [42, 3, 2, 0] }))).toThrow(/unknown type/);
    expect(() => compileNetlist({ ...HALF_ADDER, format: 'other' as typeof NETLIST_FORMAT })).toThrow(/format/);
    const n = compileNetlist(HALF_ADDER);
    expect(() => evaluateStreams(n, { a: new Uint32Array(2) }, 1, 2)).toThrow(/no values for input port b/);
    expect(() => evaluateStreams(n, { a: new Uint32Array(2), b: new Uint32Array(3) }, 1, 2)).toThrow(/needs 2 words/);
  });

  it('popcount32 counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(popcount32(0x55555555)).toBe(16);
  });
});

describe('pricing a netlist with the NanGate cells', () => {
  it('a net costs its driver\'s internal energy plus 1/2 C V^2 of the pins it drives and its wire', () => {
    const p = priceNetlist(compileNetlist(HALF_ADDER));
    const V2 = 1.1 * 1.1;
    // input a drives XOR2 pin A (2.232144 fF) and AND2 pin A1 (0.918145 fF): fanout 2, wire 3.9394 x 0.1774 fF
    const wire2 = 3.9394 * 0.1774;
    expect(wireCapFf(2)).toBeCloseTo(wire2, 12);
    expect(p.toggle_pj[2]).toBeCloseTo((0.5 * V2 * (2.232144 + 0.918145 + wire2)) / 1000, 15);
    // s is driven by XOR2_X1 (internal: mean of its four arcs) and drives nothing
    const xorInternal = ((4.706561 + 3.795655) / 2 + (0.136193 + 2.740166) / 2 + (5.039743 + 3.417613) / 2 + (-0.000797 + 3.74453) / 2) / 4;
    expect(p.toggle_pj[4]).toBeCloseTo(xorInternal / 1000, 15);
    expect(p.area_um2).toBeCloseTo(1.596 + 1.064, 12);
    expect(p.leakage_nw).toBeCloseTo(36.163718 + 25.066064, 9);
    const t = new Float64Array(6);
    t[4] = 3;
    expect(toggleEnergy(p, t)).toBeCloseTo((3 * xorInternal) / 1000, 15);
  });

  it('a register bit: clock energy every clocked cycle, the toggle extra on a change', () => {
    const V2 = 1.1 * 1.1;
    const hold = (4.474442 + 2.419478 + 4.243058 + 2.608469) / 2 + 0.949653 * V2;
    expect(flipFlopPj(0, 10, 0)).toBeCloseTo((10 * hold) / 1000, 12);
    expect(flipFlopPj(1, 0, 0)).toBeGreaterThan(0);
    expect(flipFlopPj(2, 0, 0)).toBeCloseTo(2 * flipFlopPj(1, 0, 0), 12);
  });
});
