/**
 * bf16 and fp16 conversion on over a million float64 values (every kind of midpoint included):
 * fp16 against @petamoriken/float16, bf16 against the RNE integer formula on fp32 bits (docs/SOURCES.md)
 * (for inputs that are fp32 values) and the exact rational encoder (for every input).
 * Decode of all 65,536 codes of each against the exact decoder.
 */
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../sim/pe/codec.ts';
import { decodeFloat, encodeFloat } from '../../sim/pe/float-codec.ts';
import { BF16, FP16 } from '../../sim/pe/formats.ts';
import { SPEC, decodeToDouble, encodeDoubleRef, hex, nextDown, nextUp, type FloatSpec } from './exact-rational.ts';
import { Mismatches, fp32Bits, randomDoubleBits, randomDoubleIn, rng } from './test-util.ts';

const view = new DataView(new ArrayBuffer(2));
function libFp16Bits(x: number): number {
  setFloat16(view, 0, x);
  return view.getUint16(0);
}

/** bf16 from fp32 bits, RNE; NaN -> 0x7FC0 (docs/SOURCES.md). */
function bf16FromFp32Formula(bits: number): number {
  const exp = (bits >>> 23) & 0xff;
  if (exp === 0xff && (bits & 0x7fffff) !== 0) return 0x7fc0;
  return Math.floor((bits + 0x7fff + ((bits >>> 16) & 1)) / 65536);
}

/** Positive finite values of a 16-bit format in code order (= ascending). */
function positives(spec: FloatSpec): number[] {
  const out: number[] = [];
  for (let c = 0; c < 0x8000; c++) {
    const v = decodeToDouble(spec, c);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

/**
 * Inputs: exact midpoints between neighbours (normals and subnormals), +-1 double ulp and
 * +-1 fp32 ulp around them, the values themselves, the overflow threshold and its
 * neighbours, the subnormal boundary, random doubles over the whole range, and
 * log-uniform doubles over the format's range.
 */
function inputs(spec: FloatSpec, seed: number): { all: Float64Array; special: number } {
  const xs: number[] = [];
  const vals = positives(spec);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    xs.push(v, nextUp(v), nextDown(v));
    if (i + 1 < vals.length) {
      const m = (v + vals[i + 1]) / 2; // exact: both are short dyadics
      const mf = Math.fround(m);
      xs.push(m, nextUp(m), nextDown(m), nextUp(mf), nextDown(mf));
      xs.push(Math.fround(nextUp(Math.fround(m * (1 + 2 ** -20)))));
    }
  }
  const max = vals[vals.length - 1];
  const ulpMax = max - vals[vals.length - 2];
  const thr = max + ulpMax / 2;
  const minNormal = 2 ** (1 - spec.bias);
  const minSub = vals[1];
  xs.push(thr, nextUp(thr), nextDown(thr), max + ulpMax, 2 * max, Number.MAX_VALUE, Infinity, 0, -0);
  xs.push(minNormal, nextDown(minNormal), minNormal - minSub / 2, nextUp(minNormal - minSub / 2));
  xs.push(minSub / 2, nextUp(minSub / 2), nextDown(minSub / 2), minSub / 4, Number.MIN_VALUE);
  const special = xs.length;
  const r = rng(seed);
  const emin = 1 - spec.bias - spec.manBits;
  const emax = 2 ** spec.expBits - 1 - spec.bias;
  for (let i = 0; i < 250_000; i++) xs.push(randomDoubleBits(r));
  for (let i = 0; i < 250_000; i++) xs.push(randomDoubleIn(r, emin - 3, emax + 1));
  // random fp32 values in range (the formula's domain) and near midpoints
  for (let i = 0; i < 100_000; i++) xs.push(Math.fround(randomDoubleIn(r, emin - 3, emax + 1)));
  const n = xs.length;
  const all = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    all[i] = xs[i];
    all[n + i] = -xs[i];
  }
  return { all, special: 2 * special };
}

describe('fp16', () => {
  const { all } = inputs(SPEC.fp16, 1);

  it('descriptor', () => {
    expect([FP16.expBits, FP16.manBits, FP16.bias, FP16.specials]).toEqual([5, 10, 15, 'ieee']);
    expect(FP16.maxFinite).toBe(65504);
  });

  it(`encode(FP16, x) equals @petamoriken/float16 on ${'>'}1M doubles`, () => {
    expect(all.length).toBeGreaterThan(1_000_000);
    const mm = new Mismatches();
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      const got = encode(FP16, x);
      if (x !== x) {
        if (got !== 0x7e00) mm.add(() => `NaN -> ${hex(got, 4)}`);
        continue;
      }
      const ref = libFp16Bits(x);
      if (got !== ref) mm.add(() => `${x}: lib ${hex(ref, 4)} got ${hex(got, 4)}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('midpoints and neighbours also equal the exact rational encoder (and so does the library)', () => {
    const { all: pts } = inputs(SPEC.fp16, 2);
    const mm = new Mismatches();
    const n = pts.length;
    for (let i = 0; i < n; i += 1) {
      // the structured points (first half of each sign) and a sample of the random ones
      if (i % 4 !== 0 && i > 300_000 && i < n / 2) continue;
      const x = pts[i];
      if (x !== x) continue;
      const ref = encodeDoubleRef(SPEC.fp16, x);
      const got = encodeFloat(FP16, x);
      if (got !== ref) mm.add(() => `${x}: exact ${hex(ref, 4)} got ${hex(got, 4)}`);
      if (libFp16Bits(x) !== ref) mm.add(() => `${x}: exact ${hex(ref, 4)} library ${hex(libFp16Bits(x), 4)}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('all 65,536 codes decode exactly (and agree with the library)', () => {
    const mm = new Mismatches();
    const dv = new DataView(new ArrayBuffer(2));
    for (let c = 0; c < 65536; c++) {
      const ref = decodeToDouble(SPEC.fp16, c);
      dv.setUint16(0, c);
      const lib = getFloat16(dv, 0);
      const got = decode(FP16, c);
      if (!Object.is(got, ref) || !Object.is(decodeFloat(FP16, c), ref)) mm.add(() => `${hex(c, 4)}: ${got} vs ${ref}`);
      if (!Object.is(lib, ref)) mm.add(() => `${hex(c, 4)}: library ${lib} vs exact ${ref}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('landmarks', () => {
    expect(encode(FP16, 65504)).toBe(0x7bff);
    expect(encode(FP16, 65519.99)).toBe(0x7bff);
    expect(encode(FP16, 65520)).toBe(0x7c00); // tie -> even -> Inf
    expect(encode(FP16, 65520, { saturate: true })).toBe(0x7bff);
    expect(encode(FP16, 2 ** -25)).toBe(0); // half min subnormal: tie to 0
    expect(encode(FP16, nextUp(2 ** -25))).toBe(1);
    expect(encode(FP16, 3 * 2 ** -25)).toBe(2);
    expect(encode(FP16, -0)).toBe(0x8000);
    expect(encode(FP16, 2 ** -14 - 2 ** -25)).toBe(0x0400); // tie between max subnormal (odd) and min normal
  });
});

describe('bf16', () => {
  const { all } = inputs(SPEC.bf16, 3);

  it('descriptor', () => {
    expect([BF16.expBits, BF16.manBits, BF16.bias, BF16.specials]).toEqual([8, 7, 127, 'ieee']);
    expect(BF16.nanCode).toBe(0x7fc0);
  });

  it('fp32-exact inputs equal the integer formula (bits + 0x7FFF + lsb) >> 16', () => {
    const mm = new Mismatches();
    let checked = 0;
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      if (Math.fround(x) !== x && x === x) continue; // the formula starts from fp32
      checked++;
      const ref = bf16FromFp32Formula(fp32Bits(x));
      const got = encode(BF16, x);
      if (got !== ref) mm.add(() => `${x}: formula ${hex(ref, 4)} got ${hex(got, 4)}`);
    }
    expect(checked).toBeGreaterThan(300_000);
    expect(mm.summary()).toEqual([]);
  });

  it(`every input (${'>'}1M doubles) equals the exact rational encoder`, () => {
    expect(all.length).toBeGreaterThan(1_000_000);
    const mm = new Mismatches();
    for (let i = 0; i < all.length; i++) {
      const x = all[i];
      const ref = encodeDoubleRef(SPEC.bf16, x);
      const got = encode(BF16, x);
      if (got !== ref) mm.add(() => `${x}: exact ${hex(ref, 4)} got ${hex(got, 4)}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('all 65,536 codes decode exactly, and as the upper half of the fp32 pattern', () => {
    const mm = new Mismatches();
    const dv = new DataView(new ArrayBuffer(4));
    for (let c = 0; c < 65536; c++) {
      const ref = decodeToDouble(SPEC.bf16, c);
      dv.setUint32(0, c * 65536);
      const viaFp32 = dv.getFloat32(0);
      const got = decode(BF16, c);
      if (!Object.is(got, ref)) mm.add(() => `${hex(c, 4)}: ${got} vs ${ref}`);
      if (!Object.is(viaFp32, ref)) mm.add(() => `${hex(c, 4)}: fp32 view ${viaFp32} vs exact ${ref}`);
    }
    expect(mm.summary()).toEqual([]);
  });

  it('landmarks', () => {
    expect(encode(BF16, 1)).toBe(0x3f80);
    expect(encode(BF16, 1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(encode(BF16, 1 + 3 * 2 ** -8)).toBe(0x3f82); // tie to even (up)
    expect(encode(BF16, nextUp(1 + 2 ** -8))).toBe(0x3f81); // just above the tie (not an fp32 value)
    expect(encode(BF16, 1 + 2 ** -8 + 2 ** -40)).toBe(0x3f81);
    const max = decodeFloat(BF16, 0x7f7f);
    expect(encode(BF16, max)).toBe(0x7f7f);
    expect(encode(BF16, max + 2 ** 119)).toBe(0x7f80); // tie at the top -> Inf
    expect(encode(BF16, nextDown(max + 2 ** 119))).toBe(0x7f7f);
    expect(encode(BF16, 2 ** -134)).toBe(0); // half min subnormal 2^-133
    expect(encode(BF16, nextUp(2 ** -134))).toBe(1);
    expect(encode(BF16, NaN)).toBe(0x7fc0);
  });
});
