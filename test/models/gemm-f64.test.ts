/**
 * The plain fp32 reference GEMM (gemmF64: the rows' kept entries, eight outputs summed in
 * registers) against its definition written out as the textbook triple loop: each output's
 * float64 products of fp32 operands added in k order from +0, zero activations skipped. The
 * sums are order-dependent, so any other order would show here; operands include -0, tiny,
 * huge, Inf and NaN values, and shapes cover every tail of the eight-output blocks.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { gemmF64 } from '../../models/exec/backends.ts';

function definition(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) if (a[i * k + p] !== 0) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

const value = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -4, max: 4, noNaN: true }) },
  { weight: 3, arbitrary: fc.constantFrom(0, -0) },
  { weight: 1, arbitrary: fc.float() }, // any fp32 value: subnormals, huge, Inf, NaN
);

describe('gemmF64 is the float64 GEMM in k order', () => {
  it('equals the triple loop bit for bit (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 27 }), fc.integer({ min: 1, max: 40 }), fc.integer(),
        (m, n, k, seed) => {
          const rand = fc.sample(value, { numRuns: m * k + k * n, seed });
          const a = Float32Array.from(rand.slice(0, m * k)), b = Float32Array.from(rand.slice(m * k));
          const got = gemmF64(a, b, m, n, k), want = definition(a, b, m, n, k);
          for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) return false;
          return true;
        },
      ),
      { numRuns: 300, seed: 21 },
    );
  });
});
