/**
 * MX and NVFP4 block quantization against (1) blocks worked by hand from the OCP MX v1.0
 * rules (section 6.3) and (2) references written here in exact rational arithmetic: the
 * spec's Algorithm 1 (shared_exp = floor(log2 amax) - emax_elem, clamped to E8M0's range;
 * elements RNE, clamped to the element format's max), and NVIDIA's NVFP4 recipe with every
 * fp32 operation rounded by the exact reference encoder, not by Math.fround.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getBlockFormat, type MxFormat } from '../../sim/pe/block-formats.ts';
import { dequantizeBlocks, quantizeBlocks } from '../../sim/pe/block-tensor.ts';
import {
  SPEC, bitLength, decodeExact, encodeExact, fromDouble, mulExact, num, toDouble, type Exact, type FloatSpec,
} from './exact-rational.ts';

const MX_SPECS: Readonly<Record<string, FloatSpec | 'int8'>> = {
  'mxfp8-e4m3': SPEC.e4m3,
  'mxfp8-e5m2': SPEC.e5m2,
  'mxfp6-e3m2': SPEC.e3m2,
  'mxfp6-e2m3': SPEC.e2m3,
  mxfp4: SPEC.e2m1,
  mxint8: 'int8',
};
/** emax_elem from the spec's element tables (section 5.3) */
const EMAX: Readonly<Record<string, number>> = {
  'mxfp8-e4m3': 8, 'mxfp8-e5m2': 15, 'mxfp6-e3m2': 4, 'mxfp6-e2m3': 2, mxfp4: 2, mxint8: 0,
};

/** floor(log2 |v|) of a non-zero exact value */
function floorLog2(v: Exact): number {
  if (v.kind !== 'num' || v.mag === 0n) throw new Error('floorLog2 of zero or non-finite');
  return v.exp + bitLength(v.mag) - 1;
}

/** Algorithm 1 of the spec, in exact arithmetic: { scale code, element codes }. */
function mxRef(name: string, block: readonly number[]): { scale: number; codes: number[] } {
  const spec = MX_SPECS[name];
  const vs = block.map(fromDouble);
  if (vs.some((v) => v.kind !== 'num')) return { scale: 0xff, codes: block.map(() => 0) };
  const nonzero = vs.filter((v) => v.kind === 'num' && v.mag !== 0n);
  let shared = -127;
  if (nonzero.length > 0) {
    shared = Math.max(...nonzero.map(floorLog2)) - EMAX[name];
    if (shared > 127) return { scale: 0xff, codes: block.map(() => 0) };
    if (shared < -127) shared = -127;
  }
  const codes = vs.map((v) => {
    if (v.kind !== 'num') throw new Error('unreachable');
    const scaled = { kind: 'num', neg: v.neg, mag: v.mag, exp: v.exp - shared } as const; // V / 2^shared, exact
    if (spec !== 'int8') return encodeExact(spec, scaled, { saturate: true });
    // int8 with implicit 2^-6: round scaled * 2^6 to an integer, ties to even, clamp +-127
    const e = scaled.exp + 6;
    let n: bigint;
    if (e >= 0) n = scaled.mag << BigInt(e);
    else {
      const s = BigInt(-e);
      n = scaled.mag >> s;
      const rem = scaled.mag - (n << s);
      const half = 1n << (s - 1n);
      if (rem > half || (rem === half && (n & 1n) === 1n)) n += 1n;
    }
    const m = Number(n > 127n ? 127n : n);
    return scaled.neg && m !== 0 ? 256 - m : m;
  });
  return { scale: shared + 127, codes };
}

function q(name: string, block: readonly number[], k?: number) {
  const t = quantizeBlocks(getBlockFormat(name, k ?? block.length), block);
  return { scale: t.scales[0], codes: [...t.codes], values: [...dequantizeBlocks(t)] };
}

describe('MX blocks worked by hand from the spec rules', () => {
  it('a zero block: scale 2^-127 (code 0), zeros keep their sign', () => {
    const r = q('mxfp4', [0, -0, 0, 0]);
    expect(r.scale).toBe(0);
    expect(r.codes).toEqual([0x0, 0x8, 0x0, 0x0]);
    expect(r.values.map((v) => Object.is(v, -0))).toEqual([false, true, false, false]);
    expect(q('mxint8', [0, -0]).codes).toEqual([0, 0]);
  });

  it('the largest element: into the top binade, clamped to the element max', () => {
    // 6 = 1.5 * 2^2: shared_exp = 2 - 2 = 0, X = 1; 6 -> E2M1 0b0111
    expect(q('mxfp4', [6, 1, -1.5, 0.5])).toMatchObject({ scale: 127, codes: [0x7, 0x2, 0xb, 0x1] });
    // 7 is in the same binade, beyond E2M1's max 6: clamped to 6, sign kept
    expect(q('mxfp4', [7, -7])).toMatchObject({ scale: 127, codes: [0x7, 0xf], values: [6, -6] });
    // 8 = 2^3: shared_exp 1, X = 2, 8/2 = 4 -> 0b0110
    expect(q('mxfp4', [8, 1])).toMatchObject({ scale: 128, codes: [0x6, 0x1], values: [8, 1] });
    // E4M3: 448 = 1.75 * 2^8, X = 1; 500 is in the same binade and clamps to 448
    expect(q('mxfp8-e4m3', [448, 1])).toMatchObject({ scale: 127, codes: [0x7e, 0x38] });
    expect(q('mxfp8-e4m3', [500, -500])).toMatchObject({ scale: 127, codes: [0x7e, 0xfe] });
    // E5M2 saturates too (no Inf after scaling): 60000 -> 57344
    expect(q('mxfp8-e5m2', [60000, -60000])).toMatchObject({ scale: 127, codes: [0x7b, 0xfb] });
    // E3M2: 28 = 1.75 * 2^4; E2M3: 7.5 = 1.875 * 2^2
    expect(q('mxfp6-e3m2', [30, 0.25])).toMatchObject({ scale: 127, codes: [0x1f, 0x04] });
    expect(q('mxfp6-e2m3', [7.9, 1])).toMatchObject({ scale: 127, codes: [0x1f, 0x08] });
  });

  it('subnormals after scaling, and the ties around them', () => {
    // X = 1 (256 = 2^8); 2^-8 is E4M3 subnormal 2 * 2^-9; 2^-10 is half the smallest: tie -> 0
    expect(q('mxfp8-e4m3', [256, 2 ** -8, 2 ** -10, 3 * 2 ** -10])).toMatchObject({ scale: 127, codes: [0x78, 0x02, 0x00, 0x02] });
    // E2M1, X = 1: 0.25 is half of 0.5 (tie -> 0); 0.75 ties 0.5 (odd) / 1.0 (even) -> 1.0
    expect(q('mxfp4', [4, 0.25, 0.75, -0.75])).toMatchObject({ scale: 127, codes: [0x6, 0x0, 0x2, 0xa] });
  });

  it('shared exponents beyond E8M0: clamped at -127, NaN above 127', () => {
    // 2^-130: floor(log2) - 8 = -138 -> -127; 2^-130 / 2^-127 = 2^-3 -> E4M3 0x20
    expect(q('mxfp8-e4m3', [2 ** -130, 2 ** -140])).toMatchObject({ scale: 0, codes: [0x20, 0x00] });
    const big = q('mxfp4', [2 ** 200, 1]);
    expect(big.scale).toBe(0xff);
    expect(big.values.every(Number.isNaN)).toBe(true);
  });

  it('NaN or Inf in a block: the scale is NaN and the whole block reads NaN', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const r = q('mxfp8-e5m2', [1, bad, 2]);
      expect(r.scale).toBe(0xff);
      expect(r.codes).toEqual([0, 0, 0]);
      expect(r.values.every(Number.isNaN)).toBe(true);
    }
  });

  it('MXINT8: int8 with implicit 2^-6', () => {
    // amax 2: shared_exp 1, X = 2: 127/64 / 2 * 64 = 63.5 -> tie -> 64; -2 / 2 -> -64
    expect(q('mxint8', [127 / 64, -2])).toMatchObject({ scale: 128, codes: [64, 256 - 64], values: [2, -2] });
    // X = 1: 1.5 -> 96; 1/128 -> 0.5 -> tie -> 0; 1.999 -> 127.936 -> 128 -> clamped to 127
    expect(q('mxint8', [1.5, 1 / 128, 1.999, -1.999])).toMatchObject({ scale: 127, codes: [96, 0, 127, 129] });
    // every tie of one block, both signs: 3/128 -> 1.5 -> 2, 5/128 -> 2.5 -> 2, -1/128 -> -0.5 -> +0 (no -0), -3/128 -> -2
    expect(q('mxint8', [1.5, 3 / 128, 5 / 128, -1 / 128, -3 / 128, -5 / 128, 255 / 128])).toMatchObject({
      scale: 127, codes: [96, 2, 2, 0, 254, 254, 127],
    });
    // every multiple of half a step from -130 to 130 steps, against the exact-arithmetic reference
    const halves = Array.from({ length: 521 }, (_, i) => (i - 260) / 128);
    for (let o = 0; o < halves.length; o += 32) {
      const block = halves.slice(o, o + 32);
      expect([...quantizeBlocks(getBlockFormat('mxint8', block.length), block).codes]).toEqual(mxRef('mxint8', block).codes);
    }
  });

  it('blocks of k split a vector; a short last block', () => {
    const f = getBlockFormat('mxfp4', 2);
    const t = quantizeBlocks(f, [6, 1, 0.75, 0.5, 3]);
    expect([...t.scales]).toEqual([127, 124, 126]); // 6: 2 - 2 = 0; 0.75: -1 - 2 = -3; 3: 1 - 2 = -1
    expect([...dequantizeBlocks(t)]).toEqual([6, 1, 0.75, 0.5, 3]);
    expect(getBlockFormat('mxfp8').name).toBe('mxfp8-e4m3');
    expect(() => getBlockFormat('mxfp4', 0)).toThrow(/block size/);
    expect(() => getBlockFormat('mxfp5')).toThrow(/unknown block format/);
  });
});

/** doubles spread over many binades, zeros, and the occasional huge or tiny one */
const real = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, 6, -448, 57344, 2 ** -130, 1e-30) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

describe('MX blocks against Algorithm 1 in exact arithmetic (fast-check)', () => {
  it.each(Object.keys(MX_SPECS))('%s', (name) => {
    fc.assert(
      fc.property(fc.array(real, { minLength: 1, maxLength: 40 }), fc.double({ min: -40, max: 40, noNaN: true }), (xs, logScale) => {
        const block = xs.map((x) => x * 2 ** Math.round(logScale));
        const got = quantizeBlocks(getBlockFormat(name, block.length), block);
        const ref = mxRef(name, block);
        expect({ scale: got.scales[0], codes: [...got.codes] }).toEqual(ref);
      }),
      { seed: 32, numRuns: 400 },
    );
  });

  it('every element decodes within half an element step of its input, unless clamped (mxfp6-e2m3)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 32 }), (block) => {
        const f = getBlockFormat('mxfp6-e2m3', 32) as MxFormat;
        const t = quantizeBlocks(f, block);
        const x = 2 ** (t.scales[0] - 127);
        const vals = dequantizeBlocks(t);
        block.forEach((v, i) => {
          const clamped = Math.abs(v) > 7.5 * x;
          // E2M3's largest step is 0.5 (in [4, 7.5]); half of it, at scale X
          if (!clamped) expect(Math.abs(vals[i] - v)).toBeLessThanOrEqual(0.25 * x);
          else expect(Math.abs(vals[i])).toBe(7.5 * x);
          // and within half the step of the binade the input lies in (E2M3: 3 fraction bits; below 1, subnormals, step 1/8)
          if (!clamped && v !== 0) {
            const e = Math.max(Math.floor(Math.log2(Math.abs(v) / x)), 0);
            expect(Math.abs(vals[i] - v), `${v} at scale ${x}`).toBeLessThanOrEqual((2 ** (e - 3) / 2) * x);
          }
        });
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- NVFP4

const fp32 = (v: Exact): Exact => decodeExact(SPEC.fp32, encodeExact(SPEC.fp32, v));
const ex = (x: number) => fromDouble(x);
const FLT_MAX = toDouble(decodeExact(SPEC.fp32, 0x7f7fffff));

/** reciprocal of a finite positive exact value, rounded to fp32 (RNE), by long division */
function fp32Recip(v: Exact): Exact {
  if (v.kind !== 'num' || v.mag === 0n) return { kind: 'inf', neg: false };
  // 1 / (mag * 2^exp) = (2^s / mag) * 2^(-exp - s); s large enough for 24 bits + guard + sticky
  const s = BigInt(bitLength(v.mag) + 40);
  const qt = (1n << s) / v.mag;
  const sticky = (1n << s) % v.mag !== 0n ? 1n : 0n;
  return fp32(num(false, (qt << 1n) | sticky, -v.exp - Number(s) - 1));
}

/** NVIDIA's recipe, every fp32 operation rounded by the exact reference encoder. */
function nvfp4Ref(values: readonly number[], k: number): { scales: number[]; codes: number[]; sDec: number } {
  const xs = values.map((v) => fp32(ex(v)));
  let amax: Exact = num(false, 0n, 0);
  for (const x of xs) if (x.kind === 'num' && cmpAbs(x, amax) > 0) amax = num(false, x.mag, x.exp);
  // S_enc = fp32(2688 / amax): 2688 * recip(amax) is not the same rounding; divide exactly instead
  let sEnc: Exact;
  if (amax.kind === 'num' && amax.mag === 0n) sEnc = ex(1);
  else sEnc = fp32Div(ex(2688), amax);
  if (toDouble(sEnc) > FLT_MAX) sEnc = ex(FLT_MAX);
  const inv6 = fp32Div(ex(1), ex(6));
  const t = fp32(mulExact(sEnc, inv6));
  const sDec = fp32Div(ex(1), sEnc);
  const scales: number[] = [], codes: number[] = [];
  for (let b = 0; b * k < xs.length; b++) {
    const blk = xs.slice(b * k, b * k + k);
    let bmax: Exact = num(false, 0n, 0);
    for (const x of blk) if (x.kind === 'num' && cmpAbs(x, bmax) > 0) bmax = num(false, x.mag, x.exp);
    const scaleCode = encodeExact(SPEC.e4m3, fp32(mulExact(bmax, t)), { saturate: true });
    scales.push(scaleCode);
    let recip = fp32Recip(fp32(mulExact(decodeExact(SPEC.e4m3, scaleCode), sDec)));
    if (recip.kind === 'inf' || toDouble(recip) > FLT_MAX) recip = ex(FLT_MAX);
    for (const x of blk) codes.push(encodeExact(SPEC.e2m1, fp32(mulExact(x, recip)), { saturate: true }));
  }
  return { scales, codes, sDec: toDouble(sDec) };
}

function cmpAbs(a: Exact, b: Exact): number {
  if (a.kind !== 'num' || b.kind !== 'num') throw new Error('finite only');
  return Math.sign(Math.abs(toDouble(a)) - Math.abs(toDouble(b)));
}

/** a / b rounded to fp32, exactly (b > 0) */
function fp32Div(a: Exact, b: Exact): Exact {
  if (a.kind !== 'num' || b.kind !== 'num' || b.mag === 0n) throw new Error('finite, b non-zero');
  const s = BigInt(bitLength(b.mag) + 40);
  const n = a.mag << s;
  const qt = n / b.mag;
  const sticky = n % b.mag !== 0n ? 1n : 0n;
  return fp32(num(a.neg !== b.neg, (qt << 1n) | sticky, a.exp - b.exp - Number(s) - 1));
}

describe('NVFP4 against the recipe in exact arithmetic', () => {
  it('a hand-worked tensor: the block holding the tensor max gets scale 448 and codes up to 6', () => {
    const t = quantizeBlocks(getBlockFormat('nvfp4'), [6, 3, -1.5, 0.5, 0, -6, 2, 4, 1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.05]);
    expect(t.format.blockSize).toBe(16);
    expect(t.scales.length).toBe(2);
    expect(t.scales[0]).toBe(0x7e); // E4M3 448: 6/6 * (2688/6) = 448
    expect([...t.codes.slice(0, 8)]).toEqual([0x7, 0x5, 0xb, 0x1, 0x0, 0xf, 0x4, 0x6]);
    expect(t.tensorScale).toBe(Math.fround(1 / 448));
    // dequantized: codes * 448 * fp32(1/448), within the fp32 rounding of the tensor scale
    const v = dequantizeBlocks(t);
    expect(v[0]).toBeCloseTo(6, 5);
  });

  it('random tensors (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(real, { minLength: 1, maxLength: 48 }), fc.integer({ min: -30, max: 30 }), (xs, e) => {
        const values = xs.map((x) => x * 2 ** e).filter((x) => Math.abs(Math.fround(x)) < 3e38);
        if (values.length === 0) return;
        const t = quantizeBlocks(getBlockFormat('nvfp4'), values);
        const ref = nvfp4Ref(values, 16);
        expect({ scales: [...t.scales], codes: [...t.codes], sDec: t.tensorScale }).toEqual(ref);
      }),
      { seed: 4, numRuns: 400 },
    );
  });

  it('a zero tensor, and a block with NaN', () => {
    const z = quantizeBlocks(getBlockFormat('nvfp4'), [0, 0, -0]);
    expect([...z.scales, ...z.codes, z.tensorScale]).toEqual([0, 0, 0, 0x8, 1]);
    const n = quantizeBlocks(getBlockFormat('nvfp4', 2), [1, 2, NaN, 3]);
    expect(n.scales[1]).toBe(0x7f); // the E4M3 NaN
    const v = dequantizeBlocks(n);
    expect([Number.isNaN(v[0]), Number.isNaN(v[2]), Number.isNaN(v[3])]).toEqual([false, true, true]);
  });
});
