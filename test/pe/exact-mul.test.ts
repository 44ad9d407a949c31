/**
 * Exact multipliers: all 65,536 products of each fp8 format against the exact BigInt product
 * rounded by the test's own encoder.
 */
import { describe, expect, it } from 'vitest';
import { decodeFloat } from '../../sim/pe/float-codec.ts';
import { exactMulBits, assertExactInFloat64 } from '../../sim/pe/exact-mul.ts';
import { E4M3, E5M2, FP32, BF16, FP16, type FloatFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import {
  SPEC, decodeExact, encodeExact, eqExact, fromDouble, hex, mulExact, show, type Exact, type FloatSpec,
} from './exact-rational.ts';

function exactValues(spec: FloatSpec): Exact[] {
  return Array.from({ length: 256 }, (_, c) => decodeExact(spec, c));
}

const FP8: ReadonlyArray<readonly [FloatFormat, FloatSpec]> = [
  [E4M3, SPEC.e4m3],
  [E5M2, SPEC.e5m2],
];

describe.each(FP8.map(([f, spec]) => ({ name: f.name, f, spec })))('$name products', ({ f, spec }) => {
  const vals = exactValues(spec);
  const products: Exact[] = [];
  for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) products.push(mulExact(vals[a], vals[b]));

  it.each([false, true])('exactMulBits, all 65,536 pairs, saturate=%s', (saturate) => {
    const bad: string[] = [];
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const ref = encodeExact(spec, products[a * 256 + b], { saturate });
        const got = exactMulBits(f, f, f, a, b, { saturate });
        if (got !== ref) bad.push(`${hex(a)}*${hex(b)} = ${show(products[a * 256 + b])}: ref ${hex(ref)} got ${hex(got)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('registry PE mul rounds the product saturating into the fp8 format', () => {
    const pe = getPe(f === E4M3 ? 'fp8-e4m3' : 'fp8-e5m2');
    expect(pe.product).toBe(f);
    const bad: string[] = [];
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const ref = encodeExact(spec, products[a * 256 + b], { saturate: true });
        const got = pe.mul(a, b);
        if (got !== ref) bad.push(`${hex(a)}*${hex(b)}: ref ${hex(ref)} got ${hex(got)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it("product: 'fp32' gives the exact product", () => {
    const pe = getPe(f === E4M3 ? 'fp8-e4m3' : 'fp8-e5m2', { product: 'fp32' });
    const bad: string[] = [];
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const p = products[a * 256 + b];
        const got = pe.mul(a, b);
        const ref = encodeExact(SPEC.fp32, p);
        // exactness of the reference itself: rounding down and to nearest agree
        if (p.kind === 'num' && ref !== encodeExact(SPEC.fp32, p, { round: 'trunc' })) bad.push(`inexact ${show(p)}`);
        if (got !== ref) bad.push(`${hex(a)}*${hex(b)}: ref ${hex(ref, 8)} got ${hex(got, 8)}`);
        if (!eqExact(fromDouble(decodeFloat(FP32, got)), p)) bad.push(`${hex(a)}*${hex(b)} decodes to ${decodeFloat(FP32, got)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });
});

describe('special values of exact multiplies', () => {
  it('e4m3: NaN propagates, overflow NaN / saturates, signed zeros', () => {
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x7f, 0x38)).toBe(0x7f); // NaN * 1
    expect(exactMulBits(E4M3, E4M3, E4M3, 0xff, 0x00)).toBe(0x7f); // NaN * 0
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x7e, 0x40)).toBe(0x7f); // 448 * 2 -> NaN
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x7e, 0x40, { saturate: true })).toBe(0x7e);
    expect(exactMulBits(E4M3, E4M3, E4M3, 0xfe, 0x40, { saturate: true })).toBe(0xfe);
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x80, 0x38)).toBe(0x80); // -0 * 1 = -0
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x81, 0x01)).toBe(0x80); // -2^-18 underflows to -0
    expect(exactMulBits(E4M3, E4M3, E4M3, 0x80, 0x80)).toBe(0x00); // -0 * -0 = +0
  });

  it('e5m2: Inf * 0 = NaN, Inf * finite = Inf (max when saturating), overflow -> Inf / max', () => {
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7c, 0x00)).toBe(E5M2.nanCode);
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7c, 0xbc)).toBe(0xfc); // Inf * -1
    // the product is converted like any value: saturation clamps an infinite product too
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7c, 0xbc, { saturate: true })).toBe(0xfb);
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7b, 0x40)).toBe(0x7c); // 57344 * 2
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7b, 0x40, { saturate: true })).toBe(0x7b);
    expect(exactMulBits(E5M2, E5M2, E5M2, 0x7d, 0x3c)).toBe(E5M2.nanCode);
    expect(E5M2.nanCode).toBe(0x7e);
  });

  it('mixed formats e4m3 x e5m2 -> e4m3, all pairs', () => {
    const va = exactValues(SPEC.e4m3);
    const vb = exactValues(SPEC.e5m2);
    const bad: string[] = [];
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const ref = encodeExact(SPEC.e4m3, mulExact(va[a], vb[b]), { saturate: true });
        const got = exactMulBits(E4M3, E5M2, E4M3, a, b, { saturate: true });
        if (got !== ref) bad.push(`${hex(a)}*${hex(b)}: ref ${hex(ref)} got ${hex(got)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('assertExactInFloat64 accepts the registry pairs and refuses fp32 x fp32 into a wider need', () => {
    expect(() => assertExactInFloat64(FP32, FP32)).not.toThrow(); // 48 bits
    expect(() => assertExactInFloat64(BF16, FP16)).not.toThrow();
  });
});
