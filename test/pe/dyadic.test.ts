/** Exact dyadic sums (sim/pe/dyadic.ts) against exact-rational.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum, encodeDyadic } from '../../sim/pe/dyadic.ts';
import { FP32 } from '../../sim/pe/formats.ts';
import { SPEC, addExact, cmpExact, encodeExact, fromDouble, negate, nextDown, nextUp, num, type Exact } from './exact-rational.ts';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 })
  .filter((x) => x === 0 || Math.abs(x) >= 2 ** -1000);

describe('ExactSum', () => {
  it('sums any doubles exactly: the nearest double and every fp32 rounding agree with the reference', () => {
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 30 }), fc.constantFrom<'rne' | 'trunc'>('rne', 'trunc'), (xs, round) => {
        const s = new ExactSum();
        let ref: Exact = num(false, 0n, 0);
        for (const x of xs) {
          s.add(x);
          ref = addExact(ref, fromDouble(x));
        }
        expect(isNearest(s.value(), ref)).toBe(true);
        expect(encodeDyadic(FP32, s.dyadic, { round })).toBe(encodeExact(SPEC.fp32, ref, { round }));
      }),
      { seed: 9, numRuns: 500 },
    );
  });

  it('cancellation across 2000 binades and non-finite terms', () => {
    const s = new ExactSum();
    for (const x of [1e300, 1, 2 ** -900, -1e300, -1]) s.add(x);
    expect(s.value()).toBe(2 ** -900);
    s.add(Infinity);
    expect(s.value()).toBe(Infinity);
    s.add(-Infinity);
    expect(s.value()).toBeNaN();
  });
});

/** v is a double nearest to the exact value (no other double is strictly closer) */
function isNearest(v: number, ref: Exact): boolean {
  const dist = (x: number) => {
    const d = addExact(fromDouble(x), negate(ref));
    return d.kind === 'num' ? d : num(false, 0n, 0);
  };
  const here = dist(v);
  return [nextUp(v), nextDown(v)].every((w) => cmpExact(absExact(here), absExact(dist(w))) <= 0);
}

function absExact(v: Exact): Exact {
  return v.kind === 'num' ? num(false, v.mag, v.exp) : v;
}
