/**
 * erf on the fp32 vector unit (models/exec/kernel-util.ts erfFp32: three passes over the array,
 * no branch on the sign) against erf's definition computed one element at a time and rounded
 * with Math.fround, bit for bit, on every kind of fp32 pattern: both zeros, subnormals, +-Inf,
 * NaNs, and random values; and erf itself against published values (Abramowitz & Stegun,
 * Table 7.1) within Numerical Recipes' bound (fractional error < 1.2e-7).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf, erfFp32 } from '../../models/exec/kernel-util.ts';

describe('erf on the fp32 vector unit', () => {
  it('gives fround(erf(x)) for every kind of fp32 pattern', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.float({ min: -6, max: 6, noNaN: true }).map((v) => new Uint32Array(Float32Array.of(v).buffer)[0]),
          fc.constantFrom(0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 1, 0x807fffff, 0x3f800000, 0xbf800000),
        ), { minLength: 1, maxLength: 3000 }),
        (patterns) => {
          const x = new Float32Array(Uint32Array.from(patterns).buffer);
          const out = erfFp32(x, new Float32Array(x.length));
          for (let i = 0; i < x.length; i++) {
            const want = Math.fround(erf(x[i]));
            if (!(Object.is(out[i], want) || (want !== want && out[i] !== out[i]))) return false;
          }
          return true;
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });

  it('erf matches Abramowitz & Stegun Table 7.1 within 1.2e-7 (relative to erfc)', () => {
    // x, erf(x) to 10 places (Abramowitz & Stegun, Handbook of Mathematical Functions, Table 7.1)
    const table: [number, number][] = [[0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929], [1.5, 0.9661051465], [2, 0.9953222650]];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1.2e-7 * (1 - want) + 1e-10);
      expect(erf(-x)).toBe(-erf(x));
    }
  });
});
