/**
 * The block dot-product unit and the limited-precision accumulator against exact rational
 * arithmetic (exact-rational.ts): the exact sum of a block's products, both scales applied,
 * rounded once into the accumulator register (fp32, or N bits with fp32's exponent range,
 * RNE or truncating), promoted into fp32 every P products.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adderWidth, blockDot, exactAdderWidth, makeBlockDotUnit } from '../../sim/pe/block-dot.ts';
import { getBlockFormat, type BlockFormat } from '../../sim/pe/block-formats.ts';
import type { BlockTensor } from '../../sim/pe/block-tensor.ts';
import { accumulateTerms, accumulatorSpec, makeAccumulation, type AccumulatorSpec } from '../../sim/pe/limited-acc.ts';
import {
  addExact, bitLength, fromDouble, mulExact, num, toDouble, type Exact,
} from './exact-rational.ts';
import { elementExact, roundInto, scaleExact, treeProduct } from './block-reference.ts';

/** the documented semantics, in exact arithmetic */
function dotRef(name: string, x: BlockTensor, y: BlockTensor, spec: AccumulatorSpec): number {
  const f = x.format;
  const k = f.blockSize;
  let partial: Exact = num(false, 0n, 0);
  let full: Exact = num(false, 0n, 0);
  let since = 0;
  for (let b = 0, off = 0; off < x.length; b++, off += k) {
    const len = Math.min(k, x.length - off);
    let sum: Exact = num(false, 0n, 0);
    for (let i = off; i < off + len; i++) {
      sum = addExact(sum, treeProduct(name, k, mulExact(elementExact(name, x.codes[i]), elementExact(name, y.codes[i]))));
    }
    const block = mulExact(sum, mulExact(scaleExact(name, x.scales[b]), scaleExact(name, y.scales[b])));
    partial = roundInto(spec.bits, spec.round, addExact(partial, block));
    since += len;
    if (spec.promote > 0 && since >= spec.promote) {
      full = roundInto(24, 'rne', addExact(full, partial));
      partial = num(false, 0n, 0);
      since = 0;
    }
  }
  const r = spec.promote > 0 ? roundInto(24, 'rne', addExact(full, partial)) : partial;
  let v = toDouble(r);
  if (x.tensorScale !== 1 || y.tensorScale !== 1) {
    const alpha = roundInto(24, 'rne', mulExact(fromDouble(x.tensorScale), fromDouble(y.tensorScale)));
    v = toDouble(roundInto(24, 'rne', mulExact(r, alpha)));
  }
  return v;
}

describe('adder tree widths (stated in block-dot.ts), exact for every code pair', () => {
  const cases: [string, number][] = [
    ['mxfp8-e4m3', 42], ['mxfp8-e5m2', 70], ['mxfp6-e3m2', 24], ['mxfp6-e2m3', 18], ['mxfp4', 14], ['mxint8', 21], ['nvfp4', 13],
  ];
  it.each(cases)('%s: %i bits exact', (name, width) => {
    const f = getBlockFormat(name);
    expect(exactAdderWidth(f.element, f.element, f.blockSize)).toBe(width);
    expect(adderWidth(f.element, f.element, f.blockSize)).toBe(Math.min(width, 53));
    expect(makeBlockDotUnit(f, f).truncates).toBe(width > 53);
    // from the exact reference: the largest |product| in units of the LSB, times k, fits W-1 bits
    const n = 2 ** f.element.format.bits;
    let maxProd = 0n;
    const lsb = makeBlockDotUnit(f, f).lsbExp - (width > 53 ? width - 53 : 0); // the exact tree's LSB
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const p = mulExact(elementExact(name, a), elementExact(name, b));
        if (p.kind !== 'num') continue;
        const units = p.mag << BigInt(p.exp - lsb); // p is a multiple of the LSB
        if (units > maxProd) maxProd = units;
      }
    }
    expect(bitLength(maxProd * BigInt(f.blockSize))).toBeLessThanOrEqual(width - 1);
  });
});

/** a random block tensor: random element codes and scales (finite ones, or NaN scales too) */
function randomTensor(f: BlockFormat, codes: number[], scales: number[]): BlockTensor {
  return { format: f, length: codes.length, codes: Uint8Array.from(codes), scales: Uint8Array.from(scales), tensorScale: 1 };
}

const finiteCode = (name: string) => {
  const bits = getBlockFormat(name).element.format.bits;
  return fc.integer({ min: 0, max: 2 ** bits - 1 }).filter((c) => elementExact(name, c).kind === 'num');
};

describe('block dot product against exact arithmetic (fast-check)', () => {
  const specs: AccumulatorSpec[] = [
    accumulatorSpec(), accumulatorSpec({ bits: 14, round: 'rne' }), accumulatorSpec({ bits: 14 }),
    accumulatorSpec({ bits: 10, round: 'rne', promote: 64 }), accumulatorSpec({ bits: 6, promote: 32 }),
  ];
  it.each(['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'])('%s', (name) => {
    const f = getBlockFormat(name);
    const k = f.blockSize;
    const unit = makeBlockDotUnit(f, f);
    const scale = f.kind === 'mx' ? fc.integer({ min: 60, max: 190 }) : fc.integer({ min: 0, max: 0x7e });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 * k }).chain((n) => fc.tuple(
          fc.array(finiteCode(name), { minLength: n, maxLength: n }),
          fc.array(finiteCode(name), { minLength: n, maxLength: n }),
          fc.array(scale, { minLength: Math.ceil(n / k), maxLength: Math.ceil(n / k) }),
          fc.array(scale, { minLength: Math.ceil(n / k), maxLength: Math.ceil(n / k) }),
        )),
        fc.constantFrom(...specs),
        ([ca, cb, sa, sb], spec) => {
          const x = randomTensor(f, ca, sa), y = randomTensor(f, cb, sb);
          expect(blockDot(unit, x, y, spec)).toBe(dotRef(name, x, y, spec));
        },
      ),
      { seed: 61, numRuns: 150 },
    );
  });

  it('E5M2: the 53-bit tree truncates products below its LSB (2^-15 at k = 32, 2^-19 at k = 2)', () => {
    const f = getBlockFormat('mxfp8-e5m2', 32);
    const unit = makeBlockDotUnit(f, f);
    expect([unit.adderBits, unit.lsbExp, unit.truncates]).toEqual([53, -15, true]);
    // 57344^2 + 2^-16 * 2^-16 - 57344^2: the tiny product is below the LSB and truncated
    const x = randomTensor(f, [0x7b, 0x01, 0x7b], [127]);
    const y = randomTensor(f, [0x7b, 0x01, 0xfb], [127]);
    expect(blockDot(unit, x, y, accumulatorSpec())).toBe(0);
    // with k = 2 the exact tree needs 66 bits: the LSB moves up by 13, to 2^-19
    const g = getBlockFormat('mxfp8-e5m2', 2);
    const u2 = makeBlockDotUnit(g, g);
    expect(u2.lsbExp).toBe(-32 + (64 + 1 + 1 - 53));
    const p = randomTensor(g, [0x03, 0x00], [127]), q = randomTensor(g, [0x38, 0x00], [127]);
    // 0x03 = 3 * 2^-16, 0x38 = 0.5: product 1.5 * 2^-16 = 3 * 2^-17, a multiple of 2^-19: exact
    expect(blockDot(u2, p, q, accumulatorSpec())).toBe(3 * 2 ** -17);
    expect(dotRef('mxfp8-e5m2', p, q, accumulatorSpec())).toBe(3 * 2 ** -17);
  });

  it('a NaN scale, and NaN/Inf element codes, make the result NaN/Inf', () => {
    const f = getBlockFormat('mxfp8-e4m3', 2);
    const unit = makeBlockDotUnit(f, f);
    const one = randomTensor(f, [0x38, 0x38], [127]);
    expect(blockDot(unit, randomTensor(f, [0x38, 0x38], [0xff]), one, accumulatorSpec())).toBeNaN();
    expect(blockDot(unit, randomTensor(f, [0x7f, 0x38], [127]), one, accumulatorSpec())).toBeNaN(); // E4M3 NaN
    const g = getBlockFormat('mxfp8-e5m2', 2);
    const inf = blockDot(makeBlockDotUnit(g, g), randomTensor(g, [0x7c, 0x3c], [127]), randomTensor(g, [0x3c, 0x3c], [127]), accumulatorSpec());
    expect(inf).toBe(Infinity);
  });

  it('mixed MX element formats pair; MX and NVFP4 do not', () => {
    const a = getBlockFormat('mxfp8-e4m3'), b = getBlockFormat('mxfp4');
    const unit = makeBlockDotUnit(a, b);
    expect(unit.adderBits).toBe(22 + 5 + 1); // max |I|: 229376 (e4m3) * 12 (e2m1) < 2^22
    const x = randomTensor(a, [0x7e], [127]), y = randomTensor(b, [0x7], [128]);
    expect(blockDot(unit, x, y, accumulatorSpec())).toBe(448 * 6 * 2);
    expect(() => makeBlockDotUnit(a, getBlockFormat('nvfp4', 32))).toThrow(/cannot pair/);
    expect(() => makeBlockDotUnit(a, getBlockFormat('mxfp4', 16))).toThrow(/block sizes differ/);
  });
});

describe('limited-precision accumulation against exact arithmetic', () => {
  it('worked by hand: a 4-bit register', () => {
    const rne = makeAccumulation(accumulatorSpec({ bits: 4, round: 'rne' }));
    const trunc = makeAccumulation(accumulatorSpec({ bits: 4, round: 'trunc' }));
    // 1 + 1/16: 1.0001b needs 5 bits; the tie goes to even 1.000; truncation drops it too
    expect(accumulateTerms(rne, [1, 1 / 16], 2)).toBe(1);
    expect(accumulateTerms(trunc, [1, 1 / 16], 2)).toBe(1);
    // 1 + 3/32 = 1.00011b: nearest is 1.001b = 1.125; truncation gives 1
    expect(accumulateTerms(rne, [1, 3 / 32], 2)).toBe(1.125);
    expect(accumulateTerms(trunc, [1, 3 / 32], 2)).toBe(1);
    // sixteen additions of 1/16 to 8: each is lost (8 + 1/16 rounds back to 8) ...
    const terms = [8, ...Array<number>(16).fill(1 / 16)];
    expect(accumulateTerms(rne, terms, terms.length)).toBe(8);
    // ... unless promoted: every 4 products the register goes into fp32 and restarts; the 3
    // sixteenths that share the register with the 8 are still lost, the other 13 survive
    const promoted = makeAccumulation(accumulatorSpec({ bits: 4, round: 'rne', promote: 4 }));
    expect(accumulateTerms(promoted, terms, terms.length)).toBe(8 + 13 / 16);
  });

  it('24 bits, rne, no promotion is exactly fp32 accumulation', () => {
    const acc = makeAccumulation(accumulatorSpec());
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(Math.fround), { maxLength: 64 }), (xs) => {
        let s = 0;
        for (const v of xs) s = Math.fround(s + v);
        expect(accumulateTerms(acc, xs, xs.length)).toBe(s);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('random exact products, every register width, rounding and promotion interval (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -255, max: 255 }), fc.integer({ min: -20, max: 20 })), { maxLength: 200 }),
        fc.integer({ min: 2, max: 24 }), fc.constantFrom<'rne' | 'trunc'>('rne', 'trunc'), fc.constantFrom(0, 1, 7, 32, 128),
        (pairs, bits, round, promote) => {
          const terms = pairs.map(([m, e]) => m * 2 ** e);
          const spec = accumulatorSpec({ bits, round, promote });
          let partial: Exact = num(false, 0n, 0), full: Exact = num(false, 0n, 0);
          let since = 0;
          for (const t of terms) {
            partial = roundInto(bits, round, addExact(partial, fromDouble(t)));
            if (promote > 0 && ++since >= promote) {
              full = roundInto(24, 'rne', addExact(full, partial));
              partial = num(false, 0n, 0);
              since = 0;
            }
          }
          const ref = toDouble(promote > 0 ? roundInto(24, 'rne', addExact(full, partial)) : partial);
          expect(accumulateTerms(makeAccumulation(spec), terms, terms.length)).toBe(ref);
        },
      ),
      { seed: 14, numRuns: 400 },
    );
  });

  it('a narrowed register truncates by default; plain fp32 rounds', () => {
    expect(accumulatorSpec({ bits: 14 }).round).toBe('trunc');
    expect(accumulatorSpec().round).toBe('rne');
    expect(accumulatorSpec({ promote: 128 }).round).toBe('rne');
  });

  it('refuses bad options', () => {
    expect(() => accumulatorSpec({ bits: 25 })).toThrow(/--acc-bits/);
    expect(() => accumulatorSpec({ bits: 1 })).toThrow(/--acc-bits/);
    expect(() => accumulatorSpec({ round: 'up' })).toThrow(/--acc-round/);
    expect(() => accumulatorSpec({ promote: -1 })).toThrow(/--acc-promote/);
    expect(() => accumulatorSpec({ promote: 1.5 })).toThrow(/--acc-promote/);
  });
});
