/**
 * The array quantizer of integer formats (sim/pe/int-quantizer.ts) against the rounding written
 * out from its definition here: the nearest integer of x (ties to the even one) or x truncated,
 * clamped to the format's range, as a two's-complement pattern; NaN refused. Every multiple of
 * 1/1024 over the range and past it (every tie included), the edges, and random doubles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INT4, INT8, type IntFormat } from '../../sim/pe/formats.ts';
import { intQuantizer } from '../../sim/pe/int-quantizer.ts';

function expected(f: IntFormat, x: number, trunc: boolean): number {
  let r: number;
  if (trunc) r = x < 0 ? -Math.floor(-x) : Math.floor(x);
  else {
    const lo = Math.floor(x), d = x - lo;
    r = d < 0.5 ? lo : d > 0.5 ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  }
  r = Math.min(f.max, Math.max(f.min, r));
  return r < 0 ? r + 2 ** f.bits : r === 0 ? 0 : r;
}

function quantized(f: IntFormat, xs: number[], inv: number, trunc: boolean): number[] {
  const out = new Uint32Array(xs.length);
  intQuantizer(f, trunc ? { round: 'trunc' } : {})(xs, inv, out);
  return Array.from(out);
}

describe('integer quantizer', () => {
  for (const f of [INT8, INT4]) {
    for (const trunc of [false, true]) {
      it(`${f.name}, ${trunc ? 'toward zero' : 'nearest even'}: every multiple of 1/1024 from 2 (max + 4) below to above the range`, () => {
        const xs: number[] = [];
        for (let i = -1024 * (f.max + 4) * 2; i <= 1024 * (f.max + 4) * 2; i++) xs.push(i / 1024);
        xs.push(Infinity, -Infinity, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** 60, -(2 ** 60));
        const got = quantized(f, xs, 1, trunc);
        xs.forEach((x, i) => {
          if (got[i] !== expected(f, x, trunc)) expect(`${x} -> ${got[i]}`).toBe(`${x} -> ${expected(f, x, trunc)}`);
        });
      });
    }
  }

  it('int8: random doubles times a random scale (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 64 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (xs, inv) => {
      const got = quantized(INT8, xs, inv, false);
      return xs.every((x, i) => got[i] === expected(INT8, x * inv, false));
    }), { numRuns: 2000, seed: 21 });
  });

  it('refuses NaN as the codec does', () => {
    expect(() => quantized(INT8, [1, NaN], 1, false)).toThrow(/cannot convert NaN to int8/);
  });
});
