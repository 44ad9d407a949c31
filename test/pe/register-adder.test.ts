/**
 * The fp32 register's addition of block values (limited-acc.ts registerAdder, the accumulator
 * of the MX and NVFP4 PEs): a block value has up to 53 significant bits, so s + v is often
 * inexact in float64, and the adder rounds the float64 sum once more unless it is an fp32
 * midpoint. Every result is compared with the exact rational sum rounded to fp32 by the
 * tests' own encoder (exact-rational.ts), on random operands and on sums built to land
 * exactly on a midpoint with the exact sum just above or below it, where a second rounding
 * of the float64 sum would go the wrong way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulatorSpec, registerAccumulator } from '../../sim/pe/limited-acc.ts';
import { addExact, fromDouble, toDouble } from './exact-rational.ts';
import { roundInto } from './block-reference.ts';

const fp32Register = registerAccumulator(accumulatorSpec());
const exactRounded = (s: number, v: number): number => toDouble(roundInto(24, 'rne', addExact(fromDouble(s), fromDouble(v))));
const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

/** an fp32 value with its exponent in [lo, hi] */
const fp32In = (lo: number, hi: number) =>
  fc.tuple(fc.boolean(), fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 2 ** 23 - 1 }))
    .map(([neg, e, m]) => (neg ? -1 : 1) * (1 + m / 2 ** 23) * 2 ** e);

/** a double with a full 53-bit significand and its exponent in [lo, hi] (a block value) */
const wideIn = (lo: number, hi: number) =>
  fc.tuple(fc.boolean(), fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 2 ** 26 - 1 }), fc.integer({ min: 0, max: 2 ** 26 - 1 }))
    .map(([neg, e, hi26, lo26]) => (neg ? -1 : 1) * (1 + (hi26 * 2 ** 26 + lo26) / 2 ** 52) * 2 ** e);

describe('fp32 register addition of block values vs the exact sum rounded once', () => {
  it('random fp32 states and 53-bit values at exponents 0-60 apart (inexact float64 sums)', () => {
    fc.assert(
      fc.property(fp32In(-100, 100), fc.integer({ min: -60, max: 60 }), wideIn(0, 0), (s, shift, unit) => {
        const v = unit * 2 ** (Math.round(Math.log2(Math.abs(s))) + shift);
        const got = fp32Register.add(s, v), want = exactRounded(s, v);
        return same(got, want);
      }),
      { seed: 21, numRuns: 20000 },
    );
  });

  it('float64 sums that land exactly on an fp32 midpoint, the exact sum a float64 LSB above, below or on it', () => {
    fc.assert(
      fc.property(fp32In(-120, 120), fc.constantFrom(-1, 0, 1), fc.constantFrom(-1, 1), (r, side, dir) => {
        // r's fp32 ulp u; v = dir * (u/2 + side * ulp64(u/2)): s + v is the midpoint r + dir*u/2
        // perturbed far below float64's precision at r, so the float64 sum is the midpoint itself
        const e = Math.floor(Math.log2(Math.abs(r)));
        const u = 2 ** (e - 23);
        const v = dir * (u / 2 + side * (u / 2) * 2 ** -52);
        const got = fp32Register.add(r, v), want = exactRounded(r, v);
        return same(got, want);
      }),
      { seed: 22, numRuns: 5000 },
    );
    // one by hand: 1 + 2^-24 (the midpoint above 1) plus a hair rounds up, minus a hair down, exactly on it to even (1)
    const hair = 2 ** -24 * 2 ** -52;
    expect(fp32Register.add(1, 2 ** -24 + hair)).toBe(1 + 2 ** -23);
    expect(fp32Register.add(1, 2 ** -24 - hair)).toBe(1);
    expect(fp32Register.add(1, 2 ** -24)).toBe(1);
  });

  it('the ends of the normal range: subnormal sums, the largest finite value, overflow', () => {
    const cases: [number, number][] = [
      [2 ** -126, -(2 ** -127) * (1 + 2 ** -40)], [2 ** -125, 2 ** -149 * 0.75], [-(2 ** -126), 2 ** -160],
      [3.4028234663852886e38, 2 ** 103], [3.4028234663852886e38, 2 ** 103 * (1 - 2 ** -50)], [3.4028234663852886e38, 2 ** 103 * (1 + 2 ** -50)],
      [-3.4028234663852886e38, -(2 ** 104)], [0, 0], [-0, -0], [-0, 0], [1, -1],
    ];
    for (const [s, v] of cases) expect(same(fp32Register.add(s, v), exactRounded(s, v)), `${s} + ${v}`).toBe(true);
  });
});
