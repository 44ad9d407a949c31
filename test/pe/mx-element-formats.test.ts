/**
 * The OCP MX element and scale formats (OCP Microscaling Formats v1.0, sections 5.3 and 5.4):
 * FP6 E3M2 / E2M3 and FP4 E2M1 (no Inf, no NaN) and the E8M0 scale, against the exact field
 * decoder / RNE encoder of exact-rational.ts and the spec's published tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, parseBits } from '../../sim/pe/codec.ts';
import { decodeFloat, encodeFloat, floatDecodeTable, isNaNCode, type EncodeOptions } from '../../sim/pe/float-codec.ts';
import { E2M1, E2M3, E3M2, E8M0, getFormat, type FloatFormat } from '../../sim/pe/formats.ts';
import {
  SPEC, addExact, cmpExact, decodeToDouble, encodeDoubleRef, encodeExact, fromDouble, hex,
  nextDown, nextUp, pow2Exact, toDouble, type Exact, type FloatSpec,
} from './exact-rational.ts';
import { OPTION_SETS, encoderMismatches } from './format-probes.ts';

interface Case {
  readonly f: FloatFormat;
  readonly spec: FloatSpec;
  readonly bits: number;
  /** OCP MX v1.0 section 5.3 tables */
  readonly maxFinite: number;
  readonly minNormal: number;
  readonly maxSubnormal: number;
  readonly minSubnormal: number;
  /** emax: exponent of the largest normal number (what MX subtracts from a block's exponent) */
  readonly emax: number;
}

const CASES: readonly Case[] = [
  { f: E3M2, spec: SPEC.e3m2, bits: 6, maxFinite: 28, minNormal: 0.25, maxSubnormal: 0.1875, minSubnormal: 0.0625, emax: 4 },
  { f: E2M3, spec: SPEC.e2m3, bits: 6, maxFinite: 7.5, minNormal: 1, maxSubnormal: 0.875, minSubnormal: 0.125, emax: 2 },
  { f: E2M1, spec: SPEC.e2m1, bits: 4, maxFinite: 6, minNormal: 1, maxSubnormal: 0.5, minSubnormal: 0.5, emax: 2 },
];


describe.each(CASES)('$f.name', (c) => {
  const { f, spec } = c;
  const n = 2 ** c.bits;

  it('descriptor fields and the published table', () => {
    expect([f.expBits, f.manBits, f.bias, f.specials, f.bits]).toEqual([spec.expBits, spec.manBits, spec.bias, 'none', c.bits]);
    expect(f.maxFinite).toBe(c.maxFinite);
    expect(f.minNormal).toBe(c.minNormal);
    expect(f.minSubnormal).toBe(c.minSubnormal);
    expect(f.nanCode).toBeUndefined();
    expect(f.infCode).toBeUndefined();
    expect(Math.floor(Math.log2(f.maxFinite))).toBe(c.emax);
    // the exact decoder reproduces the table too (an independent check of the reference)
    expect(decodeToDouble(spec, f.signBit - 1)).toBe(c.maxFinite);
    expect(decodeToDouble(spec, 2 ** spec.manBits)).toBe(c.minNormal);
    expect(decodeToDouble(spec, 2 ** spec.manBits - 1)).toBe(c.maxSubnormal);
    expect(decodeToDouble(spec, 1)).toBe(c.minSubnormal);
  });

  it('every code decodes exactly; none is NaN or infinite; -0 exists', () => {
    const bad: string[] = [];
    const table = floatDecodeTable(f);
    for (let b = 0; b < n; b++) {
      const ref = decodeToDouble(spec, b);
      const got = [decode(f, b), decodeFloat(f, b), table[b]];
      if (!got.every((g) => Object.is(g, ref))) bad.push(`${hex(b)}: ref ${ref} got ${got.join(',')}`);
      if (!Number.isFinite(ref) || isNaNCode(f, b)) bad.push(`${hex(b)} is not a finite number`);
    }
    expect(bad).toEqual([]);
    expect(Object.is(decode(f, f.signBit), -0)).toBe(true);
  });

  it('every value, midpoint +-1 double ulp, and saturation encode as the exact reference (all options)', () => {
    const { probes, bad } = encoderMismatches(f, spec);
    expect(probes).toBeGreaterThan(100);
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('overflow has nowhere to go but +-max: saturating or not, infinities included', () => {
    const max = f.maxFiniteCode;
    for (const opts of OPTION_SETS) {
      expect(encodeFloat(f, 1e9, opts)).toBe(max);
      expect(encodeFloat(f, -1e9, opts)).toBe(max + f.signBit);
      expect(encodeFloat(f, Infinity, opts)).toBe(max);
      expect(encodeFloat(f, -Infinity, opts)).toBe(max + f.signBit);
    }
    // the tie above max rounds to even, which lies beyond the range: still max
    expect(encodeFloat(f, c.maxFinite * 2)).toBe(max);
  });

  it('NaN has no encoding: refused, as the reference does', () => {
    expect(() => encodeFloat(f, NaN)).toThrow(/no NaN/);
    expect(() => encodeExact(spec, { kind: 'nan' })).toThrow();
  });

  it('every code round-trips; encode with a sticky remainder rounds x + sticky exactly', () => {
    const bad: string[] = [];
    for (let b = 0; b < n; b++) {
      const v = decodeToDouble(spec, b);
      if (encodeFloat(f, v) !== b) bad.push(`${hex(b)} -> ${hex(encodeFloat(f, v))}`);
      for (const sticky of [2 ** -60, -(2 ** -60)]) {
        if (v === 0) continue;
        for (const opts of OPTION_SETS) {
          const ref = encodeExact(spec, addExact(fromDouble(v), fromDouble(sticky * Math.abs(v))), opts);
          const got = encodeFloat(f, v, opts, sticky * Math.abs(v));
          if (got !== ref) bad.push(`${v} + sticky ${JSON.stringify(opts)}: ${hex(got)} vs ${hex(ref)}`);
        }
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('random doubles (fast-check) encode as the exact reference', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.integer({ min: -12, max: 12 }), fc.constantFrom(...OPTION_SETS), (x, k, opts) => {
        const y = x * 2 ** k;
        expect(encodeFloat(f, y, opts)).toBe(encodeDoubleRef(spec, y, opts));
      }),
      { seed: 16, numRuns: 5000 },
    );
  });
});

describe('names', () => {
  it('the MX element formats are named (not custom IEEE-style eXmY) and have aliases', () => {
    expect(getFormat('e2m1')).toBe(E2M1);
    expect(getFormat('fp4')).toBe(E2M1);
    expect(getFormat('fp6-e3m2')).toBe(E3M2);
    expect(getFormat('float6_e2m3fn')).toBe(E2M3);
    expect(getFormat('e8m0')).toBe(E8M0);
    // other custom names still read as IEEE-style formats
    const c = getFormat('e3m3');
    expect(c.kind === 'float' && c.specials).toBe('ieee');
  });
});

// ---------------------------------------------------------------- E8M0

/** exact value of an E8M0 code from the spec's table: 2^(e-127), 0xFF NaN */
function e8m0Exact(code: number): Exact {
  return code === 0xff ? { kind: 'nan' } : pow2Exact(code - 127);
}

/**
 * Reference E8M0 encoder from exact comparisons: the nearest power of two (ties to the even
 * code) or the power at or below (trunc); out of range: NaN, or clamped with saturate.
 */
function e8m0Ref(x: number, opts: EncodeOptions): number {
  if (Number.isNaN(x)) return 0xff;
  if (x === Infinity) return opts.saturate ? 0xfe : 0xff;
  const v = fromDouble(x);
  // k = floor(log2 x), found by exact comparison (Math.log2 only picks where to start)
  let k = Math.floor(Math.log2(x)) + 2;
  while (cmpExact(pow2Exact(k), v) > 0) k--;
  let chosen = k;
  if (opts.round !== 'trunc') {
    const mid = addExact(pow2Exact(k), pow2Exact(k - 1)); // 1.5 * 2^k
    const c = cmpExact(v, mid);
    if (c > 0 || (c === 0 && (k + 127) % 2 !== 0)) chosen = k + 1;
  }
  if (chosen < -127) return 0;
  if (chosen > 127) return opts.saturate || opts.round === 'trunc' ? 0xfe : 0xff;
  return chosen + 127;
}

describe('e8m0', () => {
  it('descriptor and every code against the spec table (2^(e-127), 0xFF NaN)', () => {
    expect(E8M0).toMatchObject({ kind: 'exp', bits: 8, bias: 127, minExp: -127, maxExp: 127, nanCode: 0xff });
    const bad: string[] = [];
    for (let b = 0; b < 256; b++) {
      const ref = e8m0Exact(b);
      const got = decode(E8M0, b);
      const want = ref.kind === 'nan' ? NaN : toDouble(ref);
      if (!Object.is(got, want)) bad.push(`${hex(b)}: ${got} vs ${want}`);
    }
    expect(bad).toEqual([]);
    expect(decode(E8M0, 0)).toBe(2 ** -127);
    expect(decode(E8M0, 127)).toBe(1);
    expect(decode(E8M0, 254)).toBe(2 ** 127);
    expect(parseBits(E8M0, '0xff')).toBe(0xff);
  });

  it('powers, midpoints +-1 ulp and out-of-range values encode as the reference (all options)', () => {
    const pts: number[] = [];
    for (let k = -130; k <= 130; k++) {
      const p = 2 ** k, m = 1.5 * 2 ** k;
      pts.push(p, nextUp(p), nextDown(p), m, nextUp(m), nextDown(m));
    }
    pts.push(Number.MIN_VALUE, Number.MAX_VALUE, Infinity, NaN);
    const bad: string[] = [];
    for (const opts of OPTION_SETS) {
      for (const x of pts) {
        const ref = e8m0Ref(x, opts);
        const got = encode(E8M0, x, opts);
        if (got !== ref) bad.push(`${x} ${JSON.stringify(opts)}: ${hex(got)} vs ${hex(ref)}`);
      }
    }
    expect(bad.slice(0, 8)).toEqual([]);
  });

  it('ties go to the even code; below 2^-127 is nearest to 2^-127; zero and negatives are refused', () => {
    expect(encode(E8M0, 1.5)).toBe(128); // 1.5 = tie between 2^0 (127, odd) and 2^1 (128, even)
    expect(encode(E8M0, 3)).toBe(128); // tie between 2^1 (128, even) and 2^2 (129)
    expect(encode(E8M0, 2 ** -200)).toBe(0);
    expect(encode(E8M0, 2 ** 128)).toBe(0xff);
    expect(encode(E8M0, 2 ** 128, { saturate: true })).toBe(0xfe);
    expect(() => encode(E8M0, 0)).toThrow(/positive powers of two/);
    expect(() => encode(E8M0, -1)).toThrow(/positive powers of two/);
  });

  it('random positive doubles (fast-check) encode as the reference', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, noNaN: true }), fc.constantFrom(...OPTION_SETS), (x, opts) => {
        expect(encode(E8M0, x, opts)).toBe(e8m0Ref(x, opts));
      }),
      { seed: 8, numRuns: 3000 },
    );
  });
});



