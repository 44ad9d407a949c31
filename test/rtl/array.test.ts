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
  arrayRtl, arrayRtlWith, belowEmulation, buildArrayModel, checkGemm, randomOperands, randomShapes, referenceRun,
} from '../../rtl/cosim/array-check.ts';
import { ARRAY_PES } from '../../rtl/gen/catalogue.ts';
import type { Dataflow } from '../../sim/arch/schema.ts';
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
 * Accumulation 'below' (ws, is): every fold's column sum starts at zero and the accumulator
 * below the array adds it to the stored partial sum. The writes happen in the reference
 * engine's cycles; their bits equal an emulation of that order with bitweave's PE (pe.dot per
 * fold, pe.addAcc below). With a bf16 accumulator the order shows in the bits: some outputs
 * differ from the 'top' order of the reference engine.
 */
describe.skipIf(skipRtl)('array RTL co-simulation, accumulation below', () => {
  const cases: [string, Dataflow, number][] = [
    ['int8', 'ws', 2], ['fp8-e4m3+acc-bf16', 'ws', 2], ['fp8-e4m3+acc-bf16', 'is', 4], ['lmul-bf16+acc-bf16', 'is', 2],
  ];
  for (const [pe, df, size] of cases) {
    it(`${pe} ${df} ${size}x${size}: bits of the 'below' order, cycles of the reference engine`, () => {
      const rtl = arrayRtlWith(pe, df, size, size, 'below');
      const model = buildArrayModel(rtl);
      let differ = 0;
      for (const [i, shape] of randomShapes(size, size, 10, 77).entries()) {
        const s = { ...shape, k: shape.k + 2 * size }; // several row folds
        const r = checkGemm(rtl, model, s, 500 + i);
        const where = `${pe} ${df} GEMM ${s.m}x${s.n}x${s.k}:\n${r.examples.join('\n')}`;
        expect(r.writeMismatches, where).toBe(0);
        expect(r.outputMismatches, where).toBe(0);
        expect(r.rtlCycles, where).toBe(r.referenceCycles);
        const { a, b } = randomOperands(rtl.pe.pe, s, 500 + i);
        const top = referenceRun(rtl, s, a, b).out;
        const below = belowEmulation(rtl, s, a, b).at(-1) as Float64Array;
        for (let o = 0; o < top.length; o++) if (top[o] !== below[o]) differ++;
      }
      if (rtl.pe.pe.acc.name === 'bf16') expect(differ).toBeGreaterThan(0);
    });
  }
});
