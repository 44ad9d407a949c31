/**
 * L-Mul (Luo & Sun, arXiv 2410.00907) against an integer reference written here from the
 * paper's field formula: sign XOR; exponent sum; mantissa sum + 2^(m - l(m)) in units of
 * 2^-m, with the adder's carry moved into the exponent by hand; the special-value rules of sim/pe/lmul.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BF16, E2M1, E2M3, E3M2, E4M3, E4M3FNUZ, E4M3IEEE, E5M2, E5M2FNUZ, FP16, FP32, floatFormat, getFormat, type FloatFormat,
} from '../../sim/pe/formats.ts';
import { lmulBits, lmulConstant, lmulOffsetExponent } from '../../sim/pe/lmul.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { canonicalNaN, decodeExact, decodeToDouble, hex, maxFiniteFields, widthOf, type FloatSpec } from './exact-rational.ts';
import { Mismatches, randInt, rng } from './test-util.ts';

/** The paper's l(m), transcribed: m for m <= 3, 3 for m = 4, 4 for m > 4. */
function paperL(m: number): number {
  return m <= 3 ? m : m === 4 ? 3 : 4;
}

/** Classification of a code from the field definitions (exact decoder). */
function classify(f: FloatSpec, c: number): 'nan' | 'inf' | 'zero' | 'normal' {
  const v = decodeExact(f, c);
  if (v.kind === 'nan') return 'nan';
  if (v.kind === 'inf') return 'inf';
  const mag = c % 2 ** (widthOf(f) - 1);
  return mag < 2 ** f.manBits ? 'zero' : 'normal'; // zero or subnormal: treated as zero
}

/** Integer reference L-Mul: returns the result code. */
function lmulRef(f: FloatSpec, a: number, b: number, saturate: boolean): number {
  const m = f.manBits;
  const unit = 2 ** m;
  const signW = 2 ** (widthOf(f) - 1);
  const eAll = 2 ** f.expBits - 1;
  const ca = classify(f, a);
  const cb = classify(f, b);
  const neg = a >= signW !== b >= signW;
  if (ca === 'nan' || cb === 'nan') return canonicalNaN(f);
  if (ca === 'inf' || cb === 'inf') {
    if (ca === 'zero' || cb === 'zero') return canonicalNaN(f);
    return (neg ? signW : 0) + eAll * unit;
  }
  const zero = neg && f.specials !== 'fnuz' ? signW : 0;
  if (ca === 'zero' || cb === 'zero') return zero;
  const magA = a % signW;
  const magB = b % signW;
  const ea = Math.floor(magA / unit), ma = magA % unit;
  const eb = Math.floor(magB / unit), mb = magB % unit;
  // exponent: (ea - bias) + (eb - bias), re-biased once
  let e = ea + eb - f.bias;
  // mantissa: xm + ym + 2^-l in units of 2^-m
  let s = ma + mb + 2 ** (m - paperL(m));
  // the adder's carry out of the mantissa field goes into the exponent (possibly twice)
  while (s >= unit) {
    s -= unit;
    e += 1;
  }
  if (e <= 0) return zero; // below the smallest normal: flush
  const max = maxFiniteFields(f);
  if (e > max.e || (e === max.e && s > max.m)) {
    // a format without specials (OCP MX FP6/FP4) has nothing but +-max to overflow to
    if (saturate || f.specials === 'none') return (neg ? signW : 0) + max.e * unit + max.m;
    return f.specials === 'ieee' ? (neg ? signW : 0) + eAll * unit : canonicalNaN(f);
  }
  return (neg ? signW : 0) + e * unit + s;
}

function fmt(name: string): FloatFormat {
  const f = getFormat(name);
  if (f.kind !== 'float') throw new Error(`${name} is not a float format`);
  return f;
}

function specOf(f: FloatFormat): FloatSpec {
  return { expBits: f.expBits, manBits: f.manBits, bias: f.bias, specials: f.specials };
}

describe('constants', () => {
  it('l(m) and the adder constant', () => {
    for (let m = 0; m <= 23; m++) expect(lmulOffsetExponent(m)).toBe(paperL(m));
    expect(lmulConstant(BF16)).toBe(0x3f78);
    expect(lmulConstant(FP32)).toBe(0x3f780000);
    expect(lmulConstant(E4M3)).toBe(7 * 8 - 1); // m = 3, l = 3: offset one unit
    expect(lmulConstant(E5M2)).toBe(15 * 4 - 1);
    expect(lmulConstant(FP16)).toBe(15 * 1024 - 64); // m = 10, l = 4: 2^6
    expect(lmulConstant(fmt('e3m4'))).toBe(3 * 16 - 2); // m = 4, l = 3: 2^1
  });
});

const EXHAUSTIVE: readonly FloatFormat[] = [
  E4M3, E5M2, E4M3FNUZ, E5M2FNUZ, E4M3IEEE, fmt('e3m4'), fmt('e2m5'), fmt('e6m1'),
  floatFormat('e3m2ieee', 3, 2), floatFormat('e2m1ieee', 2, 1),
  // the OCP MX element formats: no Inf, no NaN
  E3M2, E2M3, E2M1,
];

describe.each(EXHAUSTIVE)('exhaustive L-Mul $name', (f) => {
  it.each([true, false])('all pairs, saturate=%s', (saturate) => {
    const spec = specOf(f);
    const n = 2 ** f.bits;
    const mm = new Mismatches();
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const ref = lmulRef(spec, a, b, saturate);
        const got = lmulBits(f, a, b, { saturate });
        if (got !== ref) mm.add(() => `${hex(a)} x ${hex(b)}: ref ${hex(ref)} got ${hex(got)}`);
      }
    }
    expect(mm.summary()).toEqual([]);
  });
});

/** Codes biased toward the interesting ones. */
function codeArb(f: FloatFormat): fc.Arbitrary<number> {
  const s = f.signBit;
  const unit = 2 ** f.manBits;
  const specials = [0, s, 1, s + 1, unit - 1, unit, unit + 1, f.maxFiniteCode, s + f.maxFiniteCode];
  if (f.nanCode !== undefined) specials.push(f.nanCode);
  if (f.infCode !== undefined) specials.push(f.infCode, f.infCode + s);
  const bias1 = f.bias * unit; // 1.0
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 * s - 1 }) },
    { weight: 2, arbitrary: fc.constantFrom(...specials) },
    // values near 1 (products land in range; mantissa carries)
    { weight: 3, arbitrary: fc.tuple(fc.boolean(), fc.integer({ min: bias1 - 4 * unit, max: bias1 + 4 * unit })).map(([n, c]) => (n ? c + s : c)) },
  );
}

describe.each([BF16, FP16, FP32])('random L-Mul $name', (f) => {
  it('fast-check pairs, both saturation modes', () => {
    const spec = specOf(f);
    fc.assert(
      fc.property(codeArb(f), codeArb(f), fc.boolean(), (a, b, saturate) => {
        expect(lmulBits(f, a, b, { saturate })).toBe(lmulRef(spec, a, b, saturate));
      }),
      { seed: 42, numRuns: 30000 },
    );
  });
});

describe('hand-worked cases', () => {
  it('bf16 1.75 x 1.75: carry into the exponent', () => {
    // 1.75 = 0x3FE0 (exponent field 127, mantissa 0x60 = 0.75).
    // xm + ym + 2^-4 = 0.75 + 0.75 + 0.0625 = 1.5625 >= 1 -> carry:
    // result 2^(0+0+1) * 1.5625 = 3.125 (the exact product is 3.0625; the printed formula
    // would give 2.5625). Bits: 0x3FE0 + 0x3FE0 - 0x3F78 = 0x7FC0 - 0x3F78 = 0x4048:
    // exponent 0x80 (2^1), mantissa 0x48 = 72/128 = 0.5625.
    expect(lmulBits(BF16, 0x3fe0, 0x3fe0)).toBe(0x4048);
    expect(decodeToDouble(specOf(BF16), 0x4048)).toBe(3.125);
    expect(lmulBits(BF16, 0xbfe0, 0x3fe0)).toBe(0xc048);
    expect(lmulBits(BF16, 0xbfe0, 0xbfe0)).toBe(0x4048);
  });

  it('bf16 1.25 x 1.25: no carry', () => {
    // 0x3FA0 (0.25); 0.25 + 0.25 + 0.0625 = 0.5625 < 1: 1.5625 * 2^0 -> 0x3FC8
    expect(lmulBits(BF16, 0x3fa0, 0x3fa0)).toBe(0x3fc8);
  });

  it('bf16 1.9921875^2: the mantissa sum carries twice (m > 4, offset 2^-4)', () => {
    // mantissa 127/128 each: 127 + 127 + 8 = 262 = 2*128 + 6 -> exponent +2, mantissa 6:
    // 0x3FFF + 0x3FFF - 0x3F78 = 0x4086 = 2^2 * (1 + 6/128) = 4.1875
    expect(lmulBits(BF16, 0x3fff, 0x3fff)).toBe(0x4086);
    expect(decodeToDouble(specOf(BF16), 0x4086)).toBe(4.1875);
  });

  it('fp32 1.75 x 1.75 and 1 x 1', () => {
    // 0x3FE00000 * 2 - 0x3F780000 = 0x40480000 = 3.125
    expect(lmulBits(FP32, 0x3fe00000, 0x3fe00000)).toBe(0x40480000);
    // 1 x 1 = 1 + 2^-4 (the offset): 0x3F800000 * 2 - 0x3F780000 = 0x3F880000 = 1.0625
    expect(lmulBits(FP32, 0x3f800000, 0x3f800000)).toBe(0x3f880000);
  });

  it('e4m3 1 x 1 = 1.125 (m = 3: offset 2^-3)', () => {
    expect(lmulBits(E4M3, 0x38, 0x38)).toBe(0x39);
  });

  it('zeros, subnormals, underflow give signed zero', () => {
    expect(lmulBits(BF16, 0x0000, 0xc000)).toBe(0x8000); // 0 x -2
    expect(lmulBits(BF16, 0x8000, 0xc000)).toBe(0x0000); // -0 x -2
    expect(lmulBits(BF16, 0x0001, 0x3f80)).toBe(0x0000); // subnormal x 1
    expect(lmulBits(BF16, 0x8001, 0x3f80)).toBe(0x8000);
    // 2^-100 = exponent field 27 = 0x0D80: 0x0D80 * 2 - 0x3F78 < 0x80 -> flush
    expect(lmulBits(BF16, 0x0d80, 0x0d80)).toBe(0x0000);
    expect(lmulBits(BF16, 0x8d80, 0x0d80)).toBe(0x8000);
    expect(lmulBits(E4M3FNUZ, 0x81, 0x38)).toBe(0x00); // fnuz: no -0
  });

  it('overflow saturates by default, Inf / NaN without saturation', () => {
    // 2^100 = 0x7180: 0x7180 * 2 - 0x3F78 = 0xA388 > 0x7F7F
    expect(lmulBits(BF16, 0x7180, 0x7180)).toBe(0x7f7f);
    expect(lmulBits(BF16, 0x7180, 0xf180)).toBe(0xff7f);
    expect(lmulBits(BF16, 0x7180, 0x7180, { saturate: false })).toBe(0x7f80);
    expect(lmulBits(BF16, 0xf180, 0x7180, { saturate: false })).toBe(0xff80);
    expect(lmulBits(E4M3, 0x7e, 0x7e)).toBe(0x7e);
    expect(lmulBits(E4M3, 0x7e, 0x7e, { saturate: false })).toBe(0x7f); // no Inf: NaN
    // an e4m3 result landing exactly on the NaN pattern S.1111.111 is overflow too:
    // 448 x 1: 0x7E + 0x38 - 55 = 126 + 56 - 55 = 127 = 0x7F (would be 504)
    expect(lmulBits(E4M3, 0x7e, 0x38)).toBe(0x7e);
    expect(lmulBits(E4M3, 0xfe, 0x38)).toBe(0xfe);
    expect(lmulBits(E4M3, 0x7e, 0x38, { saturate: false })).toBe(0x7f);
    // one past it: 0x7A + 0x3D - 55 = 128 (beyond the 7-bit magnitude)
    expect(lmulBits(E4M3, 0x7a, 0x3d)).toBe(0x7e);
  });

  it('NaN propagates; Inf x 0 = NaN; Inf x finite = Inf', () => {
    expect(lmulBits(BF16, 0x7fc0, 0x3f80)).toBe(0x7fc0);
    expect(lmulBits(BF16, 0x3f80, 0xffc1)).toBe(0x7fc0);
    expect(lmulBits(BF16, 0x7f80, 0x0000)).toBe(0x7fc0);
    expect(lmulBits(BF16, 0x8000, 0xff80)).toBe(0x7fc0);
    expect(lmulBits(BF16, 0x7f80, 0xc000)).toBe(0xff80);
    expect(lmulBits(BF16, 0xff80, 0xff80)).toBe(0x7f80);
    expect(lmulBits(BF16, 0x7f80, 0x0001)).toBe(0x7fc0); // subnormal counts as zero
    expect(lmulBits(E4M3, 0xff, 0x38)).toBe(0x7f);
    expect(lmulBits(E4M3FNUZ, 0x80, 0x38)).toBe(0x80);
  });
});

// ---------------------------------------------------------------- registry PEs

const LMUL_PES = [
  { name: 'lmul-bf16', fields: [8, 7, 127, 'ieee'] },
  { name: 'lmul-m3', fields: [8, 3, 127, 'ieee'] },
  { name: 'lmul-m4', fields: [8, 4, 127, 'ieee'] },
  { name: 'lmul-fp8-e4m3', fields: [4, 3, 7, 'fn'] },
] as const;

describe.each(LMUL_PES)('PE $name', ({ name, fields }) => {
  const pe = getPe(name);
  const f = pe.input as FloatFormat;
  const spec = specOf(f);

  it('formats and product rule', () => {
    expect([f.expBits, f.manBits, f.bias, f.specials]).toEqual(fields);
    expect(pe.multiplier).toBe('lmul');
    const r = rng(7);
    const n = 2 ** f.bits;
    const mm = new Mismatches();
    const pairs = Math.min(n * n, 200_000);
    for (let i = 0; i < pairs; i++) {
      const a = n * n === pairs ? Math.floor(i / n) : randInt(r, n);
      const b = n * n === pairs ? i % n : randInt(r, n);
      const ref = lmulRef(spec, a, b, true);
      const got = pe.mul(a, b);
      if (got !== ref) mm.add(() => `${hex(a)} x ${hex(b)}: ref ${hex(ref)} got ${hex(got)}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('dot = sequential loop of reference L-Mul products, fp32 accumulation (random vectors with specials)', () => {
    const r = rng(11);
    const n = 2 ** f.bits;
    const s = f.signBit;
    const unit = 2 ** f.manBits;
    const one = f.bias * unit;
    const specials = [0, s, 1, s + 1, f.maxFiniteCode, s + f.maxFiniteCode, unit, unit + s];
    if (f.nanCode !== undefined) specials.push(f.nanCode);
    if (f.infCode !== undefined) specials.push(f.infCode, f.infCode + s);
    const mm = new Mismatches();
    let finite = 0;
    for (let trial = 0; trial < 400; trial++) {
      const len = 1 + randInt(r, 64);
      const pSpecial = [0, 0, 0.02, 0.2][trial % 4];
      const near = trial % 3 !== 0; // values near 1 so that sums are not dominated by one term
      const gen = (): number => {
        if (r() / 2 ** 32 < pSpecial) return specials[randInt(r, specials.length)];
        if (near) return (r() & 1 ? s : 0) + one + randInt(r, 6 * unit) - 3 * unit;
        return randInt(r, n);
      };
      const stride = 1 + (trial % 3);
      const off = trial % 5;
      const a = Array.from({ length: off + len * stride }, gen);
      const b = Array.from({ length: len + 2 }, gen);
      const acc0 = trial % 2 ? Math.fround((r() / 2 ** 32 - 0.5) * 10) : 0;
      let ref = acc0;
      for (let i = 0; i < len; i++) {
        const p = decodeToDouble(spec, lmulRef(spec, a[off + i * stride], b[1 + i], true));
        ref = Math.fround(ref + p);
      }
      const got = pe.dot(a, off, stride, b, 1, 1, len, acc0);
      if (Number.isFinite(ref) && ref !== 0) finite++;
      if (!Object.is(got, ref)) mm.add(() => `trial ${trial}: ref ${ref} got ${got}`);
      let m = acc0;
      for (let i = 0; i < len; i++) m = pe.mac(m, a[off + i * stride], b[1 + i]);
      if (!Object.is(m, ref)) mm.add(() => `trial ${trial}: mac chain ${m} vs ${ref}`);
    }
    expect(finite).toBeGreaterThan(150); // most vectors give ordinary sums
    expect(mm.summary()).toEqual([]);
  });
});
