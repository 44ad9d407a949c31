/**
 * The systolic array RTL against bitweave's per-cycle reference engine: random GEMMs on
 * 2x2, 4x4 and 8x8 arrays, every dataflow, four PE kinds. Every output and partial-sum write
 * must happen in the same cycle, to the same address, with the same bits; the total cycle
 * count and each fold's first and last write cycle equal the reference engine's.
 * The (PE, dataflow) pairs are spread over the sizes as a Latin square (each PE kind and each
 * dataflow meets every size); `npm run rtl-check` runs every combination.
 */
import { describe, expect, it } from 'vitest';
import {
  arrayRtl, arrayRtlWith, buildArrayModel, checkGemm, randomOperands, randomShapes, referenceRun, type GemmShape,
} from '../../rtl/cosim/array-check.ts';
import type { ArrayRtl } from '../../rtl/gen/array.ts';
import { ARRAY_PES } from '../../rtl/gen/catalogue.ts';
import type { Dataflow } from '../../sim/arch/schema.ts';
import { fastEngine } from '../../sim/array/fast-engine.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { gemmLayer, gemmView } from '../../sim/workload/layer.ts';
import { skipRtl } from './needs-verilator.ts';

const DATAFLOWS: Dataflow[] = ['os', 'ws', 'is'];
const SIZES = [2, 4, 8];
const GEMMS_PER_CONFIG = 17; // 12 configurations: 204 GEMMs

describe.skipIf(skipRtl)('array RTL co-simulation', () => {
  ARRAY_PES.forEach((pe, p) => {
    DATAFLOWS.forEach((df, d) => {
      const size = SIZES[(p + d) % SIZES.length];
      it(`${pe} ${df} ${size}x${size}: ${GEMMS_PER_CONFIG} random GEMMs, bits and cycles equal the reference engine`, () => {
        const rtl = arrayRtl(pe, df, size, size);
        const model = buildArrayModel(rtl);
        let writes = 0;
        for (const [i, shape] of randomShapes(size, size, GEMMS_PER_CONFIG, 100 * p + 10 * d + 1).entries()) {
          const r = checkGemm(rtl, model, shape, 1000 * p + 100 * d + i);
          const where = `${pe} ${df} ${size}x${size} GEMM ${shape.m}x${shape.n}x${shape.k}:\n${r.examples.join('\n')}`;
          expect(r.writeMismatches, where).toBe(0);
          expect(r.outputMismatches, where).toBe(0);
          expect(r.rtlCycles, where).toBe(r.referenceCycles);
          for (const f of r.folds) {
            expect(f.first, where).toBe(f.refFirst);
            expect(f.last, where).toBe(f.refLast);
          }
          writes += r.writes;
        }
        console.log(`rtl array ${pe} ${df} ${size}x${size}: ${GEMMS_PER_CONFIG} GEMMs, ${writes} writes, 0 mismatches, build ${model.buildSeconds.toFixed(1)} s${model.cached ? ' (cached)' : ''}`);
      });
    });
  });
});

/**
 * Accumulation 'below' (ws, is), emulated with bitweave's PE outside the engines: fold f of
 * the K dimension sums its R products from zero in k order (pe.dot), and the partial sum
 * stored below the array becomes that sum (first fold) or the stored one plus it (pe.addAcc).
 * Returns the stored bits after each row fold: after[f][i * n + j]. (The array RTL refuses PEs
 * with a separate internal accumulator, so a column's sum is already in the accumulator format.)
 */
function belowEmulation(rtl: ArrayRtl, s: GemmShape, a: Float64Array, b: Float64Array): Float64Array[] {
  const pe = rtl.pe.pe;
  const R = rtl.rows;
  const after: Float64Array[] = [];
  const state = new Float64Array(s.m * s.n);
  for (let f = 0, k0 = 0; k0 < s.k; f++, k0 += R) {
    const ku = Math.min(R, s.k - k0);
    const bits = new Float64Array(s.m * s.n);
    for (let i = 0; i < s.m; i++) {
      for (let j = 0; j < s.n; j++) {
        const o = i * s.n + j;
        const sum = pe.dot(a, i * s.k + k0, 1, b, k0 * s.n + j, s.n, ku, pe.accZero);
        const v = f === 0 ? sum : pe.addAcc(state[o], sum);
        state[o] = pe.accFromBits(pe.accToBits(v));
        bits[o] = pe.accToBits(v);
      }
    }
    after.push(bits);
  }
  return after;
}

/**
 * Accumulation 'below' (ws, is): every fold's column sum starts at zero and the accumulator
 * below the array adds it to the stored partial sum. The RTL against bitweave's engines with
 * accumulate 'below' (what `run --functional --accumulate below`, `accuracy` and `exec` use):
 * every write of the per-cycle reference engine (cycle, address, bits) and the total cycles
 * (checkGemm), and the final outputs of the fast engine, bit for bit. Both engines are also
 * held to an emulation of the order written outside them (pe.dot per fold from zero, pe.addAcc
 * below), and with a bf16 accumulator some outputs differ from the 'top' order, as they should.
 */
describe.skipIf(skipRtl)('array RTL co-simulation, accumulation below, against the engines', () => {
  const cases: [string, Dataflow, number][] = [
    ['int8', 'ws', 2], ['fp8-e4m3+acc-bf16', 'ws', 2], ['fp8-e4m3+acc-bf16', 'is', 4], ['lmul-bf16+acc-bf16', 'is', 2],
  ];
  for (const [pe, df, size] of cases) {
    it(`${pe} ${df} ${size}x${size}: the RTL's writes, cycles and outputs equal the engines' with accumulate below`, () => {
      const rtl = arrayRtlWith(pe, df, size, size, 'below');
      const model = buildArrayModel(rtl);
      let differ = 0, writes = 0;
      for (const [i, shape] of randomShapes(size, size, 10, 77).entries()) {
        const s = { ...shape, k: shape.k + 2 * size }; // several row folds
        const r = checkGemm(rtl, model, s, 500 + i);
        const where = `${pe} ${df} GEMM ${s.m}x${s.n}x${s.k}:\n${r.examples.join('\n')}`;
        expect(r.writeMismatches, where).toBe(0);
        expect(r.outputMismatches, where).toBe(0);
        expect(r.rtlCycles, where).toBe(r.referenceCycles);
        writes += r.writes;
        const { a, b } = randomOperands(rtl.pe.pe, s, 500 + i);
        const ref = referenceRun(rtl, s, a, b);
        const layer = gemmLayer('rtl', s.m, s.n, s.k);
        const fast = fastEngine({
          layer, mapping: mapGemm(gemmView(layer), size, size, df),
          operands: { pe: rtl.pe.pe, psum: psumStore(rtl.pe.pe), a, b, accumulate: 'below' },
        }).out as Float64Array;
        const emulated = belowEmulation(rtl, s, a, b).at(-1) as Float64Array;
        const top = referenceRun(rtl, s, a, b, 'top').out;
        for (let o = 0; o < ref.out.length; o++) {
          expect(fast[o], `${where}fast engine, output ${o}`).toBe(ref.out[o]);
          expect(emulated[o], `${where}emulation, output ${o}`).toBe(ref.out[o]);
          if (top[o] !== ref.out[o]) differ++;
        }
      }
      if (rtl.pe.pe.acc.name === 'bf16') expect(differ).toBeGreaterThan(0);
      console.log(`rtl array ${pe} ${df} ${size}x${size} accumulate below: 10 GEMMs, ${writes} writes equal to the reference engine's, outputs to the fast engine's; ${differ} outputs differ from 'top'`);
    });
  }
});
