/**
 * `precision dot` (sim/pe/dot-precision.ts): its statistics recomputed in exact rational
 * arithmetic on a small case, and the published figure it reproduces: DeepSeek-V3 Technical
 * Report (arXiv 2412.19437), section 3.3.2: FP8 GEMM accumulation on H800 tensor cores
 * "limited to retaining around 14 bits", "two random matrices with K = 4096 ... a maximum
 * relative error of nearly 2%", fixed by promoting partial sums to FP32 every N_C = 128
 * elements.
 */
import { describe, expect, it } from 'vitest';
import { dotPrecision } from '../../sim/pe/dot-precision.ts';
import { accumulatorSpec } from '../../sim/pe/limited-acc.ts';
import { makeRng } from '../../sim/random.ts';
import { SPEC, addExact, decodeExact, encodeExact, fromDouble, mulExact, negate, num, toDouble, type Exact } from './exact-rational.ts';

const regSpec = (bits: number) => ({ expBits: 8, manBits: bits - 1, bias: 127, specials: 'ieee' as const });
const roundInto = (bits: number, round: 'rne' | 'trunc', v: Exact) => decodeExact(regSpec(bits), encodeExact(regSpec(bits), v, { round }));
const absDiff = (a: Exact, b: Exact) => Math.abs(toDouble(addExact(a, negate(b))));

describe('precision dot', () => {
  it('e4m3, 12-bit truncating register promoted every 16: statistics recomputed exactly', () => {
    const k = 64, samples = 12, bits = 12, promote = 16;
    const r = dotPrecision({ format: 'e4m3', k, samples, dist: 'normal', seed: 5, acc: accumulatorSpec({ bits, promote }) });
    // the same inputs (the study's seeded generator), everything else in exact arithmetic
    const rng = makeRng(5);
    const rows = [{ bits: 24, round: 'rne' as const, promote: 0 }, { bits, round: 'trunc' as const, promote: 0 }, { bits, round: 'trunc' as const, promote }];
    const sumRel = rows.map(() => 0), maxErr = rows.map(() => 0);
    let maxExact = 0;
    for (let s = 0; s < samples; s++) {
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < k; i++) {
        a.push(Math.fround(rng.normal()));
        b.push(Math.fround(rng.normal()));
      }
      const q = (x: number) => decodeExact(SPEC.e4m3, encodeExact(SPEC.e4m3, fromDouble(x), { saturate: true }));
      const products = a.map((x, i) => mulExact(q(x), q(b[i])));
      const exact = products.reduce((acc, p) => addExact(acc, p), num(false, 0n, 0));
      maxExact = Math.max(maxExact, Math.abs(toDouble(exact)));
      rows.forEach((row, j) => {
        let partial: Exact = num(false, 0n, 0), full: Exact = num(false, 0n, 0);
        products.forEach((p, i) => {
          partial = roundInto(row.bits, row.round, addExact(partial, p));
          if (row.promote > 0 && (i + 1) % row.promote === 0) {
            full = roundInto(24, 'rne', addExact(full, partial));
            partial = num(false, 0n, 0);
          }
        });
        const res = row.promote > 0 ? roundInto(24, 'rne', addExact(full, partial)) : partial;
        const err = absDiff(res, exact);
        sumRel[j] += err / Math.abs(toDouble(exact));
        maxErr[j] = Math.max(maxErr[j], err);
      });
    }
    expect(r.rows.map((x) => x.accumulator)).toEqual(['fp32', '12-bit truncating', '12-bit truncating, promoted to fp32 every 16']);
    r.rows.forEach((row, j) => {
      expect(row.mean_rel_error).toBeCloseTo(sumRel[j] / samples, 12);
      expect(row.normwise_error).toBeCloseTo(maxErr[j] / maxExact, 12);
    });
  });

  it('DeepSeek-V3 section 3.3.2: ~14 bits at K = 4096 gives ~2%, promotion every 128 removes nearly all of it', () => {
    // inputs: a_i, b_i ~ N(0, 1) rounded to fp32, then to FP8 E4M3 (RNE); products exact;
    // the register keeps 14 bits after the leading one (15 significand bits), truncating
    const r = dotPrecision({ format: 'e4m3', k: 4096, samples: 50, dist: 'normal', seed: 1, acc: accumulatorSpec({ bits: 15, promote: 128 }) });
    const [fp32, limited, promoted] = r.rows;
    expect(fp32.normwise_error).toBeLessThan(1e-6);
    expect(limited.normwise_error).toBeGreaterThan(0.01);
    expect(limited.normwise_error).toBeLessThan(0.03);
    expect(promoted.normwise_error).toBeLessThan(limited.normwise_error / 50);
  });
});
