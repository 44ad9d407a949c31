/**
 * Integer PEs (int8, int4, ternary) against BigInt arithmetic: products, two's-complement
 * wrap-around of the accumulator (BigInt.asIntN), saturation, quantization.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/errors.ts';
import { decode, encode } from '../../sim/pe/codec.ts';
import { INT4, INT8, TERNARY } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { Mismatches } from './test-util.ts';

/** two's-complement value of a w-bit pattern, by definition */
function sval(bits: number, w: number): bigint {
  return BigInt.asIntN(w, BigInt(bits));
}
function pattern(v: bigint, w: number): number {
  return Number(BigInt.asUintN(w, v));
}

const TERN_CODES = [0b00, 0b01, 0b11];
const ternVal = (c: number): bigint => (c === 0b11 ? -1n : BigInt(c));

describe('int8 PE', () => {
  const pe = getPe('int8');

  it('all 65,536 products (int32 product patterns)', () => {
    const mm = new Mismatches();
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const p = sval(a, 8) * sval(b, 8);
        const got = pe.mul(a, b);
        if (got !== pattern(p, 32)) mm.add(() => `${a}*${b}: ${p} got ${got}`);
        const m = pe.mac(0, a, b);
        if (BigInt(m) !== p) mm.add(() => `mac ${a}*${b}: ${p} got ${m}`);
      }
    }
    expect(mm.summary()).toEqual([]);
  });

  it('dot wraps like a 32-bit two\'s-complement adder', () => {
    // 127 * 127 = 16129: start just below 2^31 - 1 and add a few products
    const a = [127, 127, 127, 0x81 /* -127 */];
    const b = [127, 127, 127, 127];
    const acc0 = 2 ** 31 - 20_000;
    let exact = BigInt(acc0);
    let wrapped = BigInt(acc0);
    for (let i = 0; i < 4; i++) {
      const p = sval(a[i], 8) * sval(b[i], 8);
      exact += p;
      wrapped = BigInt.asIntN(32, wrapped + p);
    }
    expect(exact).toBeGreaterThan(2n ** 31n - 1n); // really overflows
    const got = pe.dot(a, 0, 1, b, 0, 1, 4, acc0);
    expect(BigInt(got)).toBe(wrapped);
    expect(BigInt(got)).toBe(BigInt.asIntN(32, exact));
    expect(got).toBeLessThan(0);
    // accToBits gives the 32-bit pattern
    expect(pe.accToBits(got)).toBe(pattern(wrapped, 32));
    // the mac chain wraps the same way
    let m = acc0;
    for (let i = 0; i < 4; i++) m = pe.mac(m, a[i], b[i]);
    expect(m).toBe(got);
  });

  it('long random dots wrap (many overflows) = BigInt.asIntN(32, exact sum)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 3000 }),
        (pairs, acc0, reps) => {
          // repeat the vector so that the sum can leave the int32 range many times
          const a: number[] = [];
          const b: number[] = [];
          for (let r = 0; r < reps; r++) for (const [x, y] of pairs) a.push(x), b.push(y);
          let exact = BigInt(acc0);
          for (const [x, y] of pairs) exact += sval(x, 8) * sval(y, 8) * 1n;
          exact = BigInt(acc0) + (exact - BigInt(acc0)) * BigInt(reps);
          expect(BigInt(pe.dot(a, 0, 1, b, 0, 1, a.length, acc0))).toBe(BigInt.asIntN(32, exact));
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('accSaturate clamps at the int32 limits, step by step', () => {
    const sat = getPe('int8', { accSaturate: true });
    const a = [127, 127, 127, 0x81, 0x81];
    const b = [127, 127, 127, 127, 127];
    const acc0 = 2 ** 31 - 20_000;
    let ref = BigInt(acc0);
    const hi = 2n ** 31n - 1n, lo = -(2n ** 31n);
    for (let i = 0; i < a.length; i++) {
      ref += sval(a[i], 8) * sval(b[i], 8);
      if (ref > hi) ref = hi;
      if (ref < lo) ref = lo;
    }
    expect(BigInt(sat.dot(a, 0, 1, b, 0, 1, a.length, acc0))).toBe(ref);
    expect(ref).toBe(hi - 2n * 16129n);
    // negative side
    const n = sat.dot([0x80, 0x80], 0, 1, [127, 127], 0, 1, 2, -(2 ** 31) + 100);
    expect(n).toBe(-(2 ** 31));
    let m = 2 ** 31 - 1;
    m = sat.mac(m, 127, 127);
    expect(m).toBe(2 ** 31 - 1);
  });

  it('int16 accumulator wraps at 16 bits; int32 internal adder narrows on the way out', () => {
    const pe16 = getPe('int8', { acc: 'int16' });
    const a = [127, 127, 127];
    const b = [127, 127, 127];
    const exact = 3n * 16129n;
    expect(BigInt(pe16.dot(a, 0, 1, b, 0, 1, 3, 0))).toBe(BigInt.asIntN(16, exact));
    const wide = getPe('int8', { acc: 'int16', accInternal: 'int32' });
    const s = wide.dot(a, 0, 1, b, 0, 1, 3, 0);
    expect(s).toBe(Number(exact)); // the internal adder does not wrap
    expect(wide.accToBits(s)).toBe(pattern(exact, 16));
    expect(BigInt(wide.accValue(s))).toBe(BigInt.asIntN(16, exact));
  });

  it('quantization: clamps, RNE, trunc', () => {
    expect(pe.quantizeInput(200)).toBe(127);
    expect(pe.quantizeInput(-200)).toBe(0x80);
    expect(decode(INT8, pe.quantizeInput(-200))).toBe(-128);
    expect(pe.quantizeInput(127.5)).toBe(127);
    expect(pe.quantizeInput(2.5)).toBe(2);
    expect(pe.quantizeInput(3.5)).toBe(4);
    expect(pe.quantizeInput(-2.5)).toBe(pattern(-2n, 8));
    expect(pe.quantizeInput(-3.5)).toBe(pattern(-4n, 8));
    expect(pe.quantizeInput(2.5000001)).toBe(3);
    expect(pe.quantizeInput(-0)).toBe(0);
    expect(pe.quantizeWeight(1e300)).toBe(127);
    expect(pe.quantizeWeight(-Infinity)).toBe(0x80);
    expect(encode(INT8, 2.7, { round: 'trunc' })).toBe(2);
    expect(encode(INT8, -2.7, { round: 'trunc' })).toBe(pattern(-2n, 8));
    expect(encode(INT8, 300, { round: 'trunc' })).toBe(127);
    // bit patterns are never -0 (Math.trunc(-0.3) and Math.floor(-0) are -0)
    expect(Object.is(encode(INT8, -0.3, { round: 'trunc' }), 0)).toBe(true);
    expect(Object.is(encode(INT8, -0), 0)).toBe(true);
    expect(() => pe.quantizeInput(NaN)).toThrow(InputError);
  });

  it('quantization of random reals = clamp(roundHalfEven(x)) computed independently', () => {
    fc.assert(
      fc.property(fc.double({ min: -400, max: 400, noNaN: true }), (x) => {
        // round half to even by exact comparison with the two candidate integers
        const lo = Math.floor(x);
        const d = x - lo; // exact for |x| < 2^52
        let r = d < 0.5 ? lo : d > 0.5 ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
        r = Math.max(-128, Math.min(127, r));
        expect(pe.quantizeInput(x)).toBe(pattern(BigInt(r), 8));
      }),
      { seed: 42, numRuns: 5000 },
    );
  });
});

describe('int4 PE', () => {
  const pe = getPe('int4');
  it('all 256 products and a wrapping dot', () => {
    for (let a = 0; a < 16; a++) {
      for (let b = 0; b < 16; b++) {
        expect(pe.mul(a, b)).toBe(pattern(sval(a, 4) * sval(b, 4), 32));
      }
    }
    const acc0 = 2 ** 31 - 10;
    // (-8) * (-8) = 64
    expect(BigInt(pe.dot([8], 0, 1, [8], 0, 1, 1, acc0))).toBe(BigInt.asIntN(32, BigInt(acc0) + 64n));
  });
  it('quantization clamps to -8..7', () => {
    expect(pe.quantizeInput(8)).toBe(7);
    expect(pe.quantizeInput(-9)).toBe(8);
    expect(decode(INT4, pe.quantizeInput(-9))).toBe(-8);
    expect(pe.quantizeInput(6.5)).toBe(6);
  });
});

describe('ternary PE', () => {
  const pe = getPe('ternary');
  it('add / subtract / skip for every int8 activation and ternary weight', () => {
    for (let a = 0; a < 256; a++) {
      for (const w of TERN_CODES) {
        const p = sval(a, 8) * ternVal(w);
        expect(pe.mul(a, w)).toBe(pattern(p, 32));
        expect(BigInt(pe.mac(5, a, w))).toBe(5n + p);
      }
    }
    expect(decode(TERNARY, 0b11)).toBe(-1);
  });

  it('dot = plain integer dot product', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...TERN_CODES)), { minLength: 0, maxLength: 300 }),
        fc.integer({ min: -1000, max: 1000 }),
        (pairs, acc0) => {
          const a = pairs.map((p) => p[0]);
          const w = pairs.map((p) => p[1]);
          let ref = BigInt(acc0);
          for (const [x, y] of pairs) ref += sval(x, 8) * ternVal(y);
          expect(BigInt(pe.dot(a, 0, 1, w, 0, 1, a.length, acc0))).toBe(ref);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('ternary weight quantization: threshold 0.5', () => {
    expect(pe.quantizeWeight(0.7)).toBe(0b01);
    expect(pe.quantizeWeight(-0.7)).toBe(0b11);
    expect(pe.quantizeWeight(0.3)).toBe(0b00);
    expect(pe.quantizeWeight(-0.3)).toBe(0b00);
    expect(pe.quantizeWeight(5)).toBe(0b01);
    expect(pe.weightValue(0b11)).toBe(-1);
  });
});
