/**
 * EN-T's radix-4 Booth datapath against plain integer arithmetic: every int8 x int8 pair,
 * the digit recoding against its definition, and EN-T PEs bit-identical to plain PEs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOOTH_NEG, boothDigit, boothDigitCount, boothEncode, boothMultiply } from '../../sim/pe/booth.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';

describe('radix-4 Booth encoding', () => {
  it('multiplies every int8 x int8 pair exactly (all 65,536)', () => {
    const bad: string[] = [];
    for (let a = -128; a < 128; a++) {
      const code = boothEncode(a, 8);
      for (let b = -128; b < 128; b++) {
        if (boothMultiply(code, 4, b) !== a * b && bad.length < 5) bad.push(`${a} x ${b}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('recodes each digit as -2*x[2i+1] + x[2i] + x[2i-1], digits in {-2..2}, sum d_i 4^i = x', () => {
    for (const width of [4, 8, 12, 16]) {
      const lo = -(2 ** (width - 1)), hi = 2 ** (width - 1);
      const step = width > 12 ? 7 : 1;
      for (let x = lo; x < hi; x += step) {
        const code = boothEncode(x, width);
        const u = BigInt.asUintN(width, BigInt(x)); // two's-complement bits, independently
        const bit = (i: number) => (i < 0 ? 0 : Number((u >> BigInt(Math.min(i, width - 1))) & 1n));
        let sum = 0;
        for (let i = 0; i < boothDigitCount(width); i++) {
          const d = boothDigit(code, i);
          expect(d).toBe(-2 * bit(2 * i + 1) + bit(2 * i) + bit(2 * i - 1));
          sum += d * 4 ** i;
        }
        expect(sum).toBe(x);
      }
    }
  });

  it('never sets neg on a zero digit pattern of 0 and keeps -0 out', () => {
    expect(boothEncode(0, 8)).toBe(0);
    expect(boothDigit(boothEncode(-1, 8), 0)).toBe(-1);
    expect((boothEncode(-1, 8) & BOOTH_NEG) !== 0).toBe(true);
  });

  it('multiplies wide unsigned significands (fp32: 25-bit operand) exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), (a, b) => {
        const p = boothMultiply(boothEncode(a, 26), boothDigitCount(26), b);
        return BigInt(p) === BigInt(a) * BigInt(b);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('refuses operands outside the width', () => {
    expect(() => boothEncode(128, 8)).toThrow(InputError);
    expect(() => boothEncode(-129, 8)).toThrow(InputError);
  });
});

describe('EN-T PEs', () => {
  it('give bit-identical products and dot products to the same PE without reuse', () => {
    for (const name of ['int8', 'int4', 'fp8-e4m3', 'fp8-e5m2', 'bf16', 'fp16', 'fp32']) {
      const plain = getPe(name), ent = getPe(name, { reuse: 'ent' });
      expect(ent.reuse).toBe('ent');
      const rng = makeRng(11);
      const n = 2048;
      const a = new Uint32Array(n), b = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        a[i] = plain.quantizeInput(rng.normal() * 4);
        b[i] = plain.quantizeWeight(rng.normal() * 4);
      }
      let diffs = 0;
      for (let i = 0; i < n; i++) if (plain.mul(a[i], b[i]) !== ent.mul(a[i], b[i])) diffs++;
      for (let off = 0; off < n; off += 128) {
        if (!Object.is(plain.dot(a, off, 1, b, off, 1, 128, plain.accZero), ent.dot(a, off, 1, b, off, 1, 128, ent.accZero))) diffs++;
      }
      expect({ name, diffs }).toEqual({ name, diffs: 0 });
    }
  });

  it('refuses --reuse ent on PEs without a multiplier to encode', () => {
    for (const name of ['lmul-bf16', 'xnor', 'ternary']) {
      expect(() => getPe(name, { reuse: 'ent' })).toThrow(/--reuse ent needs a PE with a multiplier/);
    }
  });
});
