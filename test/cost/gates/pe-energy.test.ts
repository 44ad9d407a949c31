/**
 * Value-aware PE energy from gates: small cases whose register toggles, clocks and multiplier
 * input toggles are counted by hand; zero gating on ReLU-like operands; the same layer of the
 * trained CNN on its real operands (its weights, the activations of a Fashion-MNIST image) against
 * random operands of the same shape.
 */
import { describe, expect, it } from 'vitest';
import { committedLibrary } from '../../../rtl/gates/library.ts';
import { captureTrained, matchCaptures, quantizeCapture } from '../../../models/gate-samples.ts';
import { loadWorkload } from '../../../models/workload.ts';
import { psumStore } from '../../../sim/array/psum.ts';
import { calibrationFactors } from '../../../sim/cost/gates/calibrate.ts';
import { gemmGateEnergy } from '../../../sim/cost/gates/pe-energy.ts';
import { gatePe } from '../../../sim/cost/gates/pe-gates.ts';
import { sampleGateEnergy, type GemmSample } from '../../../sim/cost/gates/layer-gates.ts';
import { mapGemm } from '../../../sim/dataflows/mapping.ts';
import { getPe } from '../../../sim/pe/registry.ts';
import { makeRng } from '../../../sim/random.ts';
import { gemmView } from '../../../sim/workload/layer.ts';

const lib = committedLibrary();
const factors = calibrationFactors(lib);
const int8 = getPe('int8');
const g8 = gatePe(lib, 'int8', int8, factors);
const psum = psumStore(int8);
const code = (v: number) => (v + 256) % 256; // int8 bit pattern

describe('PE streams, counted by hand', () => {
  // one PE (1x1, os), one output over K = 4: A = 3, 0, 0, 5 and B = 1, 1, 1, 1
  const mp = mapGemm({ m: 1, n: 1, k: 4 }, 1, 1, 'os');
  const ops = { a: [3, 0, 0, 5].map(code), b: [1, 1, 1, 1].map(code), psum };

  it('without zero gating every operand reaches the registers and the multiplier', () => {
    const e = gemmGateEnergy(g8, mp, ops);
    expect(e.macs).toBe(4);
    expect(e.zero_fraction).toBe(0.5);
    expect(e.gated_fraction).toBe(0);
    // A register 3 -> 0 -> 0 -> 5: 2 + 0 + 2 bits; B never changes; accumulator 3, 3, 3, 8: 3^8 = 0b1011
    expect(e.counts.register_toggles).toEqual({ a: 4, b: 0, acc: 3 });
    // 8-bit A and B, 32-bit accumulator, 4 flags (a_v, a_f, a_l, b_v), each clocked in 4 slots
    expect(e.counts.register_clocks).toEqual({ a: 32, b: 32, acc: 128, flags: 16 });
    expect(e.counts.multiplier_input_toggles).toBe(4);
    expect(e.counts.transitions).toBe(3);
  });

  it('zero gating skips the two zero MACs: held inputs, unclocked registers, a zero flag per operand', () => {
    const e = gemmGateEnergy(g8, mp, ops, { gateZeros: true });
    const f = gemmGateEnergy(g8, mp, ops);
    expect(e.gated_fraction).toBe(0.5);
    // A register and multiplier input hold 3 through the zeros: 3 -> 3 -> 3 -> 5 = 2 bits
    expect(e.counts.register_toggles).toEqual({ a: 2, b: 0, acc: 3 });
    expect(e.counts.register_clocks).toEqual({ a: 16, b: 32, acc: 64, flags: 16 + 8 });
    expect(e.counts.multiplier_input_toggles).toBe(2);
    expect(e.multiplier_pj).toBeLessThan(f.multiplier_pj);
    expect(e.registers_pj).toBeLessThan(f.registers_pj);
    expect(e.isolation_pj).toBeGreaterThan(0);
    expect(f.isolation_pj).toBe(0);
  });

  it('weight stationary: the stationary register is loaded once per fold, A streams, partial sums flow down', () => {
    // 2 x 1 array, ws: K = 2 rows hold B[0], B[1]; M = 3 pixels stream through
    const ws = mapGemm({ m: 3, n: 1, k: 2 }, 2, 1, 'ws');
    const a = [1, 2, 3, 4, 5, 6].map(code); // A[m][k]
    const b = [7, 9].map(code);
    const e = gemmGateEnergy(g8, ws, { a, b, psum });
    expect(e.macs).toBe(6);
    // row 0 streams A[.][0] = 1, 3, 5: 1^3 = 1 bit, 3^5 = 2 bits; row 1 streams 2, 4, 6: 2^4 = 2 bits, 4^6 = 1 bit
    expect(e.counts.register_toggles.a).toBe(3 + 3);
    // the stationary weights are loaded in the first slot and never change after
    expect(e.counts.register_toggles.b).toBe(0);
    expect(e.counts.register_clocks.b).toBe(2 * 8); // two PEs, one 8-bit load each
    expect(e.counts.register_clocks.a).toBe(6 * 8);
    // partial sums leaving row 0: 7, 21, 35; row 1: 7 + 18 = 25, 21 + 36 = 57, 35 + 54 = 89
    const pc = (x: number) => x.toString(2).split('').filter((c) => c === '1').length;
    expect(e.counts.register_toggles.acc).toBe(pc(7 ^ 21) + pc(21 ^ 35) + pc(25 ^ 57) + pc(57 ^ 89));
  });
});

function randomLike(s: GemmSample, seed: number): GemmSample {
  const rng = makeRng(seed);
  const a = new Uint32Array(s.m * s.k), b = new Uint32Array(s.k * s.n);
  for (let i = 0; i < a.length; i++) a[i] = rng.int(256);
  for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  return { ...s, a, b, description: 'uniform random int8 patterns' };
}

describe('accumulation of row folds (ws): top or below', () => {
  // 1 x 1 array, ws, K = 2: two row folds; A = [[1, 2], [3, 4]], B = [5, 7]
  const ws = mapGemm({ m: 2, n: 1, k: 2 }, 1, 1, 'ws');
  const a = [1, 2, 3, 4].map(code), b = [5, 7].map(code);
  const pc = (x: number) => x.toString(2).split('').filter((c) => c === '1').length;
  it('top: the second fold starts from the stored sums (5 + 14 = 19, 15 + 28 = 43)', () => {
    const e = gemmGateEnergy(g8, ws, { a, b, psum }, { accumulate: 'top' });
    expect(e.counts.register_toggles.acc).toBe(pc(5 ^ 15) + pc(15 ^ 19) + pc(19 ^ 43));
  });
  it('below: every fold starts from zero (14, 28), the adder under the array merges them', () => {
    const e = gemmGateEnergy(g8, ws, { a, b, psum }, { accumulate: 'below' });
    expect(e.counts.register_toggles.acc).toBe(pc(5 ^ 15) + pc(15 ^ 14) + pc(14 ^ 28));
    // the arch's default for ws is below
    expect(gemmGateEnergy(g8, ws, { a, b, psum }).counts.register_toggles.acc).toBe(e.counts.register_toggles.acc);
  });
});

describe('the trained CNN\'s real operands', () => {
  const w = loadWorkload('cnn');
  const caps = matchCaptures(w.layers, captureTrained('cnn', 1));
  const idx = w.layers.findIndex((l) => l.name.includes('conv2'));
  const layer = w.layers[idx];
  const real = quantizeCapture(int8, caps[idx] as NonNullable<(typeof caps)[number]>, 'cnn conv2');
  const mp = mapGemm(gemmView(layer), 16, 16, 'ws');

  it('cost a different energy per MAC than random operands of the same layer', () => {
    expect(caps.every((c) => c !== undefined)).toBe(true);
    const er = sampleGateEnergy(g8, real, 16, 16, mp, 'model-samples', { psum });
    const eu = sampleGateEnergy(g8, randomLike(real, 3), 16, 16, mp, 'distribution', { psum });
    const pe = (e: typeof er) => e.multiplier_pj + e.accumulator_pj + e.registers_pj;
    // ReLU zeros, small magnitudes and correlated neighbours toggle far fewer nets than random bits
    expect(pe(er)).toBeLessThan(0.75 * pe(eu));
    expect(er.zero_fraction).toBeGreaterThan(0.2);
    expect(eu.zero_fraction).toBeLessThan(0.02);
  });

  it('zero gating lowers the energy of the ReLU outputs it skips', () => {
    const plain = sampleGateEnergy(g8, real, 16, 16, mp, 'model-samples', { psum });
    const gated = sampleGateEnergy(g8, real, 16, 16, mp, 'model-samples', { psum, gateZeros: true });
    expect(gated.gated_fraction).toBeCloseTo(gated.zero_fraction, 12);
    const total = (e: typeof plain) => e.multiplier_pj + e.accumulator_pj + e.registers_pj + e.isolation_pj;
    expect(total(gated)).toBeLessThan(total(plain));
    expect(gated.multiplier_pj).toBeLessThan(plain.multiplier_pj);
  });
});
