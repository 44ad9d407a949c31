/**
 * The plain fp32 reference GEMM (gemmF64: its WebAssembly SIMD kernel from 4 rows on, and the
 * TypeScript loop it reproduces, the rows' kept entries, eight outputs summed in registers) against its definition written out as the textbook triple loop: each output's
 * float64 products of fp32 operands added in k order from +0, zero activations skipped. The
 * sums are order-dependent, so any other order would show here; operands include -0, tiny,
 * huge, Inf and NaN values, and shapes cover every tail of the eight-output blocks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmF64, gemmF64Loop } from '../../models/exec/backends.ts';
import { gemmF64Wasm } from '../../sim/pe/wasm/f64-gemm.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';

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
          // gemmF64 (the WebAssembly kernel from 4 rows on) and its TypeScript loop
          const got = gemmF64(a, b, m, n, k), loop = gemmF64Loop(a, b, m, n, k), want = definition(a, b, m, n, k);
          for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i]) || !Object.is(loop[i], want[i])) return false;
          return true;
        },
      ),
      { numRuns: 300, seed: 21 },
    );
  });

  it('takes the WebAssembly kernel from 4 rows on, and the loop when the kernel is turned off', () => {
    const m = 9, n = 50, k = 70;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * (i % 3 === 0 ? 0 : 1));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7) * 0.1);
    try {
      expect(gemmF64Wasm(a, b, m, n, k)).toBeDefined();
      const fast = gemmF64(a, b, m, n, k);
      setWasmKernels(false);
      expect(gemmF64Wasm(a, b, m, n, k)).toBeUndefined();
      expect(Array.from(fast)).toEqual(Array.from(gemmF64(a, b, m, n, k)));
      expect(Array.from(fast)).toEqual(Array.from(definition(a, b, m, n, k)));
    } finally {
      setWasmKernels(true);
    }
  });
});
