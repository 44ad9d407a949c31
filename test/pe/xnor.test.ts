/**
 * XNOR-popcount against a plain integer dot product of +-1 arrays.
 * Convention (Larq): bit 0 = +1, bit 1 = -1; element i in bit i % 32 of word i / 32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getPe } from '../../sim/pe/registry.ts';
import { packBinary, packSigns, popcount32, wordsFor, xnorDot } from '../../sim/pe/xnor.ts';

function naivePopcount(v: number): number {
  let n = 0;
  let u = v >>> 0;
  for (let k = 0; k < 32; k++) {
    n += u % 2;
    u = Math.floor(u / 2);
  }
  return n;
}

const pm1 = (bit: number) => (bit ? -1 : 1);

function plainDot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += pm1(a[i]) * pm1(b[i]);
  return s;
}

/** bit k of word w, by arithmetic (not by the shifts the implementation uses) */
function bitOf(w: number, k: number): number {
  return Math.floor((w >>> 0) / 2 ** k) % 2;
}

const bitsArb = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.tuple(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
    fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n })),
);

describe('popcount32', () => {
  it('matches a bit-by-bit count (signed and unsigned inputs)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (u) => {
        expect(popcount32(u)).toBe(naivePopcount(u));
        expect(popcount32(u | 0)).toBe(naivePopcount(u));
      }),
      { seed: 42, numRuns: 5000 },
    );
    expect(popcount32(0)).toBe(0);
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000000)).toBe(1);
    expect(popcount32(0x80000001 | 0)).toBe(2);
  });
});

describe('packing', () => {
  it('packBinary puts element i in bit i % 32 of word i / 32, zero padding', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 0, maxLength: 300 }), (bits) => {
        const w = packBinary(bits);
        expect(w.length).toBe(Math.ceil(bits.length / 32));
        for (let i = 0; i < w.length * 32; i++) {
          expect(bitOf(w[i >>> 5], i % 32)).toBe(i < bits.length ? bits[i] : 0);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('packBinary with an explicit n packs only the first n elements', () => {
    const w = packBinary([1, 1, 1, 1, 1], 3);
    expect(Array.from(w)).toEqual([0b111]);
  });

  it('packSigns: negative -> 1 (-1), otherwise 0 (+1, zero included)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 100 }), (xs) => {
        const w = packSigns(xs);
        for (let i = 0; i < xs.length; i++) expect(bitOf(w[i >>> 5], i % 32)).toBe(xs[i] < 0 ? 1 : 0);
      }),
      { seed: 42, numRuns: 300 },
    );
    expect(Array.from(packSigns([0, -0, -1e-300, 5]))).toEqual([0b0100]);
  });

  it('wordsFor', () => {
    expect([0, 1, 31, 32, 33, 64, 65].map(wordsFor)).toEqual([0, 1, 1, 1, 2, 2, 3]);
  });
});

describe('xnorDot', () => {
  it('equals the plain +-1 dot product (lengths 1..300)', () => {
    fc.assert(
      fc.property(bitsArb, ([a, b]) => {
        expect(xnorDot(packBinary(a), 0, packBinary(b), 0, a.length)).toBe(plainDot(a, b));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('works at word offsets inside longer arrays, ignoring garbage beyond n', () => {
    fc.assert(
      fc.property(
        bitsArb,
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        ([a, b], aOff, bOff, seed) => {
          const n = a.length;
          const words = wordsFor(n);
          const A = new Uint32Array(aOff + words + 3);
          const B = new Uint32Array(bOff + words + 3);
          // garbage everywhere, then the real bits; padding bits of the last word keep garbage
          let g = seed;
          const next = () => (g = (Math.imul(g, 1664525) + 1013904223) >>> 0);
          for (let i = 0; i < A.length; i++) A[i] = next();
          for (let i = 0; i < B.length; i++) B[i] = next();
          for (let i = 0; i < n; i++) {
            const wa = aOff + (i >>> 5), wb = bOff + (i >>> 5), k = i % 32;
            A[wa] = bitOf(A[wa], k) === a[i] ? A[wa] : (A[wa] ^ (2 ** k)) >>> 0;
            B[wb] = bitOf(B[wb], k) === b[i] ? B[wb] : (B[wb] ^ (2 ** k)) >>> 0;
          }
          expect(xnorDot(A, aOff, B, bOff, n)).toBe(plainDot(a, b));
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('hand cases: all equal, all different, n = 32 and 33 with garbage padding', () => {
    const ones = new Uint32Array([0xffffffff, 0xffffffff]);
    const zeros = new Uint32Array([0, 0]);
    expect(xnorDot(ones, 0, ones, 0, 33)).toBe(33);
    expect(xnorDot(ones, 0, zeros, 0, 33)).toBe(-33);
    expect(xnorDot(ones, 0, zeros, 0, 32)).toBe(-32);
    expect(xnorDot(ones, 0, zeros, 0, 31)).toBe(-31);
    expect(xnorDot(ones, 1, zeros, 0, 1)).toBe(-1);
    expect(xnorDot(new Uint32Array([0]), 0, new Uint32Array([0]), 0, 0)).toBe(0);
  });
});

describe('xnor PE', () => {
  const pe = getPe('xnor');
  it('mul and dot on per-element bit arrays', () => {
    expect([pe.mul(0, 0), pe.mul(0, 1), pe.mul(1, 0), pe.mul(1, 1)]).toEqual([0, 1, 1, 0]);
    fc.assert(
      fc.property(bitsArb, fc.integer({ min: -1000, max: 1000 }), ([a, b], acc0) => {
        expect(pe.dot(a, 0, 1, b, 0, 1, a.length, acc0)).toBe(acc0 + plainDot(a, b));
        let m = acc0;
        for (let i = 0; i < a.length; i++) m = pe.mac(m, a[i], b[i]);
        expect(m).toBe(acc0 + plainDot(a, b));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('dot with strides and offsets', () => {
    const a = [9, 1, 9, 0, 9, 1, 9, 1];
    const b = [7, 7, 1, 1, 0];
    // a[1], a[3], a[5] = 1, 0, 1 (-1, +1, -1); b[2], b[3], b[4] = 1, 1, 0 (-1, -1, +1)
    expect(pe.dot(a, 1, 2, b, 2, 1, 3, 0)).toBe(1 - 1 - 1);
    expect(pe.inputValue(0)).toBe(1);
    expect(pe.inputValue(1)).toBe(-1);
  });
});
