/**
 * The WebAssembly reference GEMM (models/exec/wasm/f64-gemm.wat) against a naive triple loop
 * written here (each output a float64 sum from +0 of x * w over the row's non-zero x, in k
 * order) and against gemmF64's TypeScript loop, bit for bit, on random fp32 operands of every
 * kind (subnormals, huge values, Inf, NaN, +-0) and shapes with every tail of the 16-output
 * blocks.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { gemmF64, gemmF64Loop } from '../../models/exec/backends.ts';
import { gemmF64Wasm } from '../../models/exec/wasm/f64-gemm.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';

const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);

function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
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

afterEach(() => setWasmKernels(true));

describe('WebAssembly reference GEMM', () => {
  it('equals the naive float64 loop and the TypeScript kernel bit for bit', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.float({ min: -3, max: 3, noNaN: true }) },
      { weight: 3, arbitrary: fc.constantFrom(0, -0) },
      { weight: 1, arbitrary: fc.float() }, // NaN, Inf, subnormals, huge
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 37 }),
        fc.array(value, { minLength: 7 * 37 + 37 * 40, maxLength: 7 * 37 + 37 * 40 }),
        (m, n, k, vals) => {
          const a = Float32Array.from(vals.slice(0, m * k)), b = Float32Array.from(vals.slice(m * k, m * k + k * n));
          const w = gemmF64Wasm(a, b, m, n, k)!;
          const want = naive(a, b, m, n, k), loop = gemmF64Loop(a, b, m, n, k);
          for (let i = 0; i < m * n; i++) if (!same(w[i], want[i]) || !same(loop[i], want[i])) return false;
          return true;
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });

  it('gemmF64 takes the kernel from 4 rows on, and the loop when it is turned off', () => {
    const m = 9, n = 50, k = 70;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i) * (i % 3 === 0 ? 0 : 1));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.7) * 0.1);
    const fast = gemmF64(a, b, m, n, k);
    setWasmKernels(false);
    expect(gemmF64Wasm(a, b, m, n, k)).toBeUndefined();
    const slow = gemmF64(a, b, m, n, k);
    expect(Array.from(fast)).toEqual(Array.from(slow));
    expect(Array.from(fast)).toEqual(Array.from(naive(a, b, m, n, k)));
  });
});
