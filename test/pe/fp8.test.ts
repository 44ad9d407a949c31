/**
 * FP8 formats against the exact field decoder / RNE encoder of exact-rational.ts and the
 * OCP table (arXiv 2209.05433, docs/SOURCES.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from '../../sim/pe/codec.ts';
import { decodeFloat, encodeFloat, floatDecodeTable, isNaNCode } from '../../sim/pe/float-codec.ts';
import { E4M3, E4M3FNUZ, E4M3IEEE, E5M2, E5M2FNUZ, type FloatFormat } from '../../sim/pe/formats.ts';
import {
  SPEC, addExact, encodeExact, decodeToDouble, encodeDoubleRef, hex, nextDown, nextUp, fromDouble,
  type FloatSpec,
} from './exact-rational.ts';
import { OPTION_SETS, encoderMismatches, probePoints } from './format-probes.ts';

interface Case {
  readonly f: FloatFormat;
  readonly spec: FloatSpec;
  /** published figures (the OFP8 table; fnuz / IEEE-like from their definitions) */
  readonly maxFinite: number;
  readonly maxCode: number;
  readonly minNormal: number;
  readonly minSubnormal: number;
  readonly nanCodes: readonly number[];
  readonly infCodes: readonly number[];
  readonly hasNegZero: boolean;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const CASES: readonly Case[] = [
  {
    f: E4M3, spec: SPEC.e4m3, maxFinite: 448, maxCode: 0x7e, minNormal: 2 ** -6, minSubnormal: 2 ** -9,
    nanCodes: [0x7f, 0xff], infCodes: [], hasNegZero: true,
  },
  {
    f: E5M2, spec: SPEC.e5m2, maxFinite: 57344, maxCode: 0x7b, minNormal: 2 ** -14, minSubnormal: 2 ** -16,
    nanCodes: [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff], infCodes: [0x7c, 0xfc], hasNegZero: true,
  },
  {
    f: E4M3FNUZ, spec: SPEC.e4m3fnuz, maxFinite: 240, maxCode: 0x7f, minNormal: 2 ** -7, minSubnormal: 2 ** -10,
    nanCodes: [0x80], infCodes: [], hasNegZero: false,
  },
  {
    f: E5M2FNUZ, spec: SPEC.e5m2fnuz, maxFinite: 57344, maxCode: 0x7f, minNormal: 2 ** -15, minSubnormal: 2 ** -17,
    nanCodes: [0x80], infCodes: [], hasNegZero: false,
  },
  {
    f: E4M3IEEE, spec: SPEC.e4m3ieee, maxFinite: 240, maxCode: 0x77, minNormal: 2 ** -6, minSubnormal: 2 ** -9,
    nanCodes: [...range(0x79, 0x7f), ...range(0xf9, 0xff)], infCodes: [0x78, 0xf8], hasNegZero: true,
  },
];


function firstFew<T>(xs: T[], n = 8): T[] {
  return xs.slice(0, n);
}

describe.each(CASES)('$f.name', (c) => {
  const { f, spec } = c;

  it('descriptor fields match the published definition', () => {
    expect([f.expBits, f.manBits, f.bias, f.specials]).toEqual([spec.expBits, spec.manBits, spec.bias, spec.specials]);
    expect(f.bits).toBe(8);
    expect(f.maxFinite).toBe(c.maxFinite);
    expect(f.maxFiniteCode).toBe(c.maxCode);
    expect(f.minNormal).toBe(c.minNormal);
    expect(f.minSubnormal).toBe(c.minSubnormal);
  });

  it('the exact decoder reproduces the published table (independent check of the reference)', () => {
    expect(decodeToDouble(spec, c.maxCode)).toBe(c.maxFinite);
    expect(decodeToDouble(spec, 1)).toBe(c.minSubnormal);
    expect(decodeToDouble(spec, 2 ** spec.manBits)).toBe(c.minNormal);
    const nans = range(0, 255).filter((b) => Number.isNaN(decodeToDouble(spec, b)));
    expect(nans).toEqual(c.nanCodes);
    const infs = range(0, 255).filter((b) => Math.abs(decodeToDouble(spec, b)) === Infinity);
    expect(infs).toEqual(c.infCodes);
    expect(Object.is(decodeToDouble(spec, 0x80), -0)).toBe(c.hasNegZero);
  });

  it('all 256 codes decode exactly (decode, decodeFloat, decode table, isNaNCode)', () => {
    const bad: string[] = [];
    const table = floatDecodeTable(f);
    for (let b = 0; b < 256; b++) {
      const ref = decodeToDouble(spec, b);
      const got = [decode(f, b), decodeFloat(f, b), table[b]];
      if (!got.every((g) => Object.is(g, ref))) bad.push(`${hex(b)}: ref ${ref} got ${got.join(',')}`);
      if (isNaNCode(f, b) !== Number.isNaN(ref)) bad.push(`${hex(b)}: isNaNCode ${isNaNCode(f, b)}`);
    }
    expect(firstFew(bad)).toEqual([]);
  });

  it('ftz decode flushes subnormals only', () => {
    const bad: string[] = [];
    for (let b = 0; b < 256; b++) {
      const ref = decodeToDouble(spec, b);
      const mag = b & 0x7f;
      const sub = mag > 0 && mag < 2 ** spec.manBits;
      const got = decodeFloat(f, b, { ftz: true });
      if (sub) {
        // a signed zero (fnuz has no -0: either zero accepted there)
        const ok = got === 0 && (!c.hasNegZero || Object.is(got, b >= 0x80 ? -0 : 0));
        if (!ok) bad.push(`${hex(b)}: ${got}`);
      } else if (!Object.is(got, ref)) bad.push(`${hex(b)}: ${got} vs ${ref}`);
    }
    expect(firstFew(bad)).toEqual([]);
  });

  it('every midpoint, +-1 double ulp, and overflow thresholds encode as the exact reference (all options)', () => {
    const { probes, bad } = encoderMismatches(f, spec);
    expect(probes).toBeGreaterThan(1000);
    expect(firstFew(bad)).toEqual([]);
  });

  it('encodeFloat with a sticky remainder rounds x + sticky exactly (all options)', () => {
    const pts = probePoints(spec).filter((x) => Math.abs(x) < 1e300);
    pts.push(0, -0);
    const bad: string[] = [];
    for (const x of pts) {
      const halfUlp = (nextUp(Math.abs(x)) - Math.abs(x)) / 2;
      const tiny = x === 0 ? 2 ** -1000 : Math.abs(x) * 2 ** -70;
      for (const sticky of [tiny, -tiny, halfUlp, -halfUlp]) {
        if (sticky === 0) continue; // a zero remainder means "x is exact" (its sign is not a value)
        const exact = addExact(fromDouble(x), fromDouble(sticky));
        for (const opts of OPTION_SETS) {
          const ref = encodeExact(spec, exact, opts);
          const got = encodeFloat(f, x, opts, sticky);
          if (got !== ref) bad.push(`${x} + ${sticky} ${JSON.stringify(opts)}: ref ${hex(ref)} got ${hex(got)}`);
        }
      }
    }
    expect(firstFew(bad)).toEqual([]);
  });

  it('every finite code round-trips under every option set', () => {
    const bad: string[] = [];
    for (const opts of OPTION_SETS) {
      for (let b = 0; b < 256; b++) {
        const v = decodeToDouble(spec, b);
        if (Number.isNaN(v) || Math.abs(v) === Infinity) continue;
        const sub = (b & 0x7f) < 2 ** spec.manBits && (b & 0x7f) !== 0;
        const want = opts.ftz && sub ? (c.hasNegZero && b >= 0x80 ? 0x80 : 0) : b;
        const got = encodeFloat(f, v, opts);
        if (got !== want) bad.push(`${hex(b)} ${JSON.stringify(opts)} -> ${hex(got)}`);
      }
    }
    expect(firstFew(bad)).toEqual([]);
  });

  it('random doubles (fast-check) encode as the exact reference', () => {
    const scale = fc.integer({ min: -30, max: 30 });
    fc.assert(
      fc.property(fc.double({ noNaN: false }), scale, fc.constantFrom(...OPTION_SETS), (x, k, opts) => {
        const y = x * 2 ** k;
        expect(encodeFloat(f, y, opts)).toBe(encodeDoubleRef(spec, y, opts));
      }),
      { seed: 42, numRuns: 20000 },
    );
  });

  it('NaN, Inf and zeros', () => {
    const nan = f.nanCode as number; // every format here has a NaN
    expect(Number.isNaN(decodeToDouble(spec, nan))).toBe(true);
    for (const opts of OPTION_SETS) {
      expect(encodeFloat(f, NaN, opts)).toBe(nan);
      expect(encodeFloat(f, 0, opts)).toBe(0);
      expect(encodeFloat(f, -0, opts)).toBe(c.hasNegZero ? 0x80 : 0);
      // a tiny negative value rounding to zero keeps its sign where -0 exists
      expect(encodeFloat(f, -1e-30, opts)).toBe(c.hasNegZero ? 0x80 : 0);
    }
    if (c.infCodes.length) {
      expect(encodeFloat(f, Infinity)).toBe(c.infCodes[0]);
      expect(encodeFloat(f, -Infinity)).toBe(c.infCodes[1]);
      // ONNX Cast(saturate=1): +-Inf -> +-FLT_MAX for E5M2 (and E4M3FN, below)
      expect(encodeFloat(f, Infinity, { saturate: true })).toBe(c.maxCode);
      expect(encodeFloat(f, -Infinity, { saturate: true })).toBe(c.maxCode + 0x80);
    } else {
      expect(encodeFloat(f, Infinity)).toBe(nan);
      expect(encodeFloat(f, -Infinity)).toBe(nan);
      // ONNX Cast(saturate=1): E4M3FN clamps to +-FLT_MAX, the fnuz formats give NaN
      const satInf = c.hasNegZero ? c.maxCode : nan;
      expect(encodeFloat(f, Infinity, { saturate: true })).toBe(satInf);
      expect(encodeFloat(f, -Infinity, { saturate: true })).toBe(c.hasNegZero ? c.maxCode + 0x80 : nan);
    }
  });
});

describe('OFP8 corner vectors (docs/SOURCES.md)', () => {
  it('e4m3 (OCP e4m3fn)', () => {
    expect(encodeFloat(E4M3, 464)).toBe(0x7e); // tie between 448 and 480: to even 448
    expect(encodeFloat(E4M3, nextUp(464))).toBe(0x7f); // NaN (non-saturating)
    expect(encodeFloat(E4M3, 465)).toBe(0x7f);
    expect(encodeFloat(E4M3, -465)).toBe(0x7f);
    expect(encodeFloat(E4M3, 1e6)).toBe(0x7f);
    expect(encodeFloat(E4M3, 465, { saturate: true })).toBe(0x7e);
    expect(encodeFloat(E4M3, -465, { saturate: true })).toBe(0xfe);
    expect(encodeFloat(E4M3, 1e6, { saturate: true })).toBe(0x7e);
    expect(encodeFloat(E4M3, 2 ** -10)).toBe(0x00); // half of min subnormal: tie to even 0
    expect(encodeFloat(E4M3, nextUp(2 ** -10))).toBe(0x01);
    expect(encodeFloat(E4M3, -(2 ** -10))).toBe(0x80);
    expect(encodeFloat(E4M3, 1.0625)).toBe(0x38); // tie 1 / 1.125 -> 1
    expect(encodeFloat(E4M3, 1.1875)).toBe(0x3a); // tie 1.125 / 1.25 -> 1.25
    expect(encodeFloat(E4M3, 0.1)).toBe(0x1d);
    expect(decodeFloat(E4M3, 0x1d)).toBe(0.1015625);
    expect(encodeFloat(E4M3, 448)).toBe(0x7e);
  });

  it('e5m2', () => {
    expect(encodeFloat(E5M2, 61440)).toBe(0x7c); // tie 57344 / 65536 -> even: Inf
    expect(encodeFloat(E5M2, 61440, { saturate: true })).toBe(0x7b);
    expect(encodeFloat(E5M2, nextDown(61440))).toBe(0x7b);
    expect(encodeFloat(E5M2, -61440)).toBe(0xfc);
    expect(encodeFloat(E5M2, -61440, { saturate: true })).toBe(0xfb);
    expect(encodeFloat(E5M2, 1e9)).toBe(0x7c);
    expect(encodeFloat(E5M2, 1.375)).toBe(0x3e); // tie 1.25 / 1.5 -> 1.5
    expect(encodeFloat(E5M2, 0.1)).toBe(0x2e);
    expect(encodeFloat(E5M2, 57344)).toBe(0x7b);
    expect(encodeFloat(E5M2, 2 ** -17)).toBe(0x00);
    expect(encodeFloat(E5M2, 3 * 2 ** -17)).toBe(0x02); // tie 1 / 2 subnormal quanta -> 2
  });

  it('truncation never overflows to Inf/NaN', () => {
    expect(encodeFloat(E4M3, 1e6, { round: 'trunc' })).toBe(0x7e);
    expect(encodeFloat(E5M2, 1e9, { round: 'trunc' })).toBe(0x7b);
    expect(encodeFloat(E5M2, -65535, { round: 'trunc' })).toBe(0xfb);
    expect(encodeFloat(E4M3, 1.2, { round: 'trunc' })).toBe(0x39);
    expect(encodeFloat(E4M3, -1.2, { round: 'trunc' })).toBe(0xb9);
  });

  it('fnuz: no negative zero, NaN = 0x80', () => {
    for (const f of [E4M3FNUZ, E5M2FNUZ]) {
      expect(encodeFloat(f, -0)).toBe(0);
      expect(encodeFloat(f, -(2 ** -40))).toBe(0);
      expect(encodeFloat(f, NaN)).toBe(0x80);
      expect(Number.isNaN(decodeFloat(f, 0x80))).toBe(true);
      expect(f.nanCode).toBe(0x80);
    }
    expect(encodeFloat(E4M3FNUZ, 240)).toBe(0x7f);
    // 248 is the tie between 240 (mantissa 111, odd) and 256 (even, beyond the range):
    // rounding goes to 256, which overflows -> NaN, or max when saturating
    expect(encodeFloat(E4M3FNUZ, 248)).toBe(0x80);
    expect(encodeFloat(E4M3FNUZ, 248, { saturate: true })).toBe(0x7f);
    expect(encodeFloat(E4M3FNUZ, nextDown(248))).toBe(0x7f);
  });

  it('ftz flushes results that would be subnormal', () => {
    expect(encodeFloat(E4M3, 2 ** -7, { ftz: true })).toBe(0);
    expect(encodeFloat(E4M3, -(2 ** -7), { ftz: true })).toBe(0x80);
    expect(encodeFloat(E4M3, 2 ** -6, { ftz: true })).toBe(0x08);
    // rounds up into the smallest normal: not flushed
    expect(encodeFloat(E4M3, 2 ** -6 - 2 ** -11, { ftz: true })).toBe(0x08);
    expect(encodeFloat(E5M2, 2 ** -15, { ftz: true })).toBe(0);
  });
});
