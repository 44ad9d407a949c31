/**
 * Block formats (MX, NVFP4) in a causal language model (models/exec/token-scales.ts), against
 * their definitions computed here the slow way:
 * - each query multiplies V over the keys up to its own position: `causalBlockValues` against one
 *   GEMM of one row per query over exactly those keys (what a KV cache holding them computes);
 * - `samePrefixPatterns` against quantizing each column's first rows on their own with the
 *   quantizer and comparing every pattern and NVFP4's column scale;
 * - NVFP4's tensor scale per vector (per token) against each vector quantized alone, and the
 *   scales applied per row and column against exact products.
 * Values are small integers times powers of two, so that a block's largest magnitude often
 * comes late in the block and in another binade than its first elements (where the cut scale
 * differs), with NaN and infinities in some runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { applyTensorScales } from '../../models/exec/backends.ts';
import { causalBlockValues } from '../../models/exec/token-scales.ts';
import { quantizeAlongK, samePrefixPatterns } from '../../sim/pe/block-operand.ts';
import { getPe } from '../../sim/pe/registry.ts';

const KINDS = ['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'] as const;

/** m x 2^e: binades far apart; NaN / +-Inf where `special` picks them */
const value = (special: boolean) =>
  fc.tuple(fc.integer({ min: -15, max: 15 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: 0, max: 60 })).map(([m, e, s]) =>
    special && s === 0 ? Number.NaN : special && s === 1 ? Infinity : special && s === 2 ? -Infinity : m * 2 ** e);

/** V (keys x n), causal attention weights A (m x keys: query r reads keys 0 .. keys - m + r, each weight > 0) */
const problem = (special: boolean) =>
  fc.record({ m: fc.integer({ min: 1, max: 40 }), past: fc.integer({ min: 0, max: 40 }), n: fc.integer({ min: 1, max: 5 }), seed: fc.integer() })
    .chain(({ m, past, n }) => {
      const keys = past + m;
      return fc.record({
        m: fc.constant(m), keys: fc.constant(keys), n: fc.constant(n),
        v: fc.array(value(special), { minLength: keys * n, maxLength: keys * n }),
        w: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: m * keys, maxLength: m * keys }),
      });
    })
    .map(({ m, keys, n, v, w }) => {
      const a = new Float32Array(m * keys);
      for (let r = 0; r < m; r++) for (let j = 0; j <= keys - m + r; j++) a[r * keys + j] = w[r * keys + j] / 256;
      return { m, keys, n, a, v: Float32Array.from(v) };
    });

describe('block formats per token: each query reads V over the keys up to its position', () => {
  it.each(KINDS)('%s: every row equals one GEMM of that row over its own keys', (kind) => {
    const backend = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
    fc.assert(fc.property(problem(kind === 'mxfp8-e4m3' || kind === 'nvfp4'), ({ m, keys, n, a, v }) => {
      const got = causalBlockValues(backend, a, v, m, keys, n)!;
      expect(got).toBeDefined();
      for (let r = 0; r < m; r++) {
        const len = keys - m + r + 1;
        const want = backend.gemm(a.slice(r * keys, r * keys + len), v.slice(0, len * n), 1, n, len, 1, 1, undefined, { once: true, tokens: true });
        for (let j = 0; j < n; j++) expect(Object.is(got[r * n + j], want[j]), `row ${r} column ${j}: ${got[r * n + j]} vs ${want[j]}`).toBe(true);
      }
    }), { numRuns: 60, seed: 17 });
  });

  it('a block whose largest value comes after the query: the query reads a finer scale (MX)', () => {
    // a window of 32 queries and keys (one block), one column of V: 1 at every key but the last, 64;
    // query r weighs keys 0..r by 1 / (r + 1), so query 3 reads keys 0..3 only
    const keys = 32, m = 32, n = 1;
    const v = new Float32Array(keys).fill(1);
    v[31] = 64;
    const a = new Float32Array(m * keys);
    for (let r = 0; r < m; r++) for (let j = 0; j <= r; j++) a[r * keys + j] = 1 / (r + 1);
    const backend = arrayBackend(getPe('mxfp4'), { dataflow: 'os', rows: 32 });
    const causal = causalBlockValues(backend, a, v, m, keys, n)!;
    const whole = backend.gemm(a, v, m, n, keys, 1, 1, undefined, { once: true, tokens: true });
    // the mean of ones is 1 exactly; the whole block's scale (64 = 1.0 x 2^6, E2M1's emax 2: X = 16)
    // leaves 1 / 16 below E2M1's smallest subnormal 0.5, so the whole-window block reads 0
    expect(causal[3]).toBe(1);
    expect(whole[3]).toBe(0);
    expect(causal[31]).toBe(whole[31]);
  });

  it('refuses nothing and computes nothing for attention that is not causal (undefined)', () => {
    const backend = arrayBackend(getPe('mxfp8-e4m3'), { dataflow: 'os', rows: 32 });
    const a = new Float32Array(4 * 4).fill(0.25); // every query reads every key
    expect(causalBlockValues(backend, a, new Float32Array(4 * 2).fill(1), 4, 4, 2)).toBeUndefined();
    expect(causalBlockValues(backend, a, new Float32Array(4 * 2).fill(1), 4, 3, 2)).toBeUndefined(); // fewer keys than queries
  });
});

describe('samePrefixPatterns against each column prefix quantized on its own', () => {
  it.each(KINDS)('%s', (kind) => {
    const f = getPe(kind).block!.weight;
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer(), (k, n, special, seed) => {
      const gen = fc.sample(fc.array(value(special), { minLength: k * n, maxLength: k * n }), { numRuns: 1, seed })[0];
      const b = Float32Array.from(gen);
      const got = samePrefixPatterns(f, b, k, n);
      for (let j = 0; j < n; j++) {
        const column = Array.from({ length: k }, (_, q) => b[q * n + j]);
        const whole = quantizeAlongK(f, column, 1, k, k, 1, true);
        for (let q = 0; q < k; q++) {
          const prefix = quantizeAlongK(f, column.slice(0, q + 1), 1, q + 1, q + 1, 1, true);
          const samePatterns = prefix.codes.every((c, i) => c === whole.codes[i]) &&
            Object.is((prefix.tensorScale as Float64Array)[0], (whole.tensorScale as Float64Array)[0]);
          const laterNonFinite = column.slice(q + 1).some((x) => !Number.isFinite(x));
          expect(got[q * n + j], `${kind} k ${k} column ${j} row ${q}`).toBe(samePatterns && !laterNonFinite ? 1 : 0);
        }
      }
    }), { numRuns: 80, seed: 5 });
  });
});

describe('NVFP4 tensor scales per token', () => {
  const f = getPe('nvfp4').block!.input;

  it('per vector: each vector quantized as if it were the whole operand', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (vectors, k, seed) => {
      const x = Float32Array.from(fc.sample(fc.array(value(false), { minLength: vectors * k, maxLength: vectors * k }), { numRuns: 1, seed })[0]);
      const q = quantizeAlongK(f, x, vectors, k, k, 1, true);
      const scales = q.tensorScale as Float64Array;
      expect(scales.length).toBe(vectors);
      for (let v = 0; v < vectors; v++) {
        const alone = quantizeAlongK(f, x.subarray(v * k, (v + 1) * k), 1, k, k, 1);
        expect(Array.from(q.codes.subarray(v * k, (v + 1) * k))).toEqual(Array.from(alone.codes));
        expect(scales[v]).toBe(alone.tensorScale);
      }
    }), { numRuns: 100, seed: 9 });
  });

  it('each output takes its row\'s and its column\'s scale, their product rounded to fp32, the result rounded once', () => {
    const values = Float64Array.of(1.5, -3, 7, 0.25, 10, 1 / 3);
    const sa = Float64Array.of(Math.fround(1 / 3), 2), sb = Float64Array.of(0.5, Math.fround(1 / 7), 3);
    const out = applyTensorScales(Float64Array.from(values), sa, sb, 3);
    for (let i = 0; i < 6; i++) {
      const r = Math.floor(i / 3), c = i % 3;
      expect(out[i]).toBe(Math.fround(values[i] * Math.fround(sa[r] * sb[c])));
    }
    expect(applyTensorScales(Float64Array.from(values), 1, 1, 3)).toEqual(values); // MX: no tensor scales, values untouched
  });
});
