/**
 * The WebAssembly fp32 rows (sim/pe/wasm/f32-rows.wat):
 * - the committed binaries are the assembly of the committed texts (scripts/wasm.mjs);
 * - the raw kernel against IEEE binary32 arithmetic done independently (Math.fround of the
 *   float64 sum and product, which round once: binary64 has more than 2 x 24 + 2 bits), on
 *   random fp32 bit patterns of every kind (subnormals, Inf, NaN, -0) and every row length;
 * - the fp8 product rounding on every operand pair, against the PE's own MAC;
 * - every PE kind whose tile kernel hands it rows (fp32 adder: bf16, fp16, fp32, fp8 and the
 *   L-Mul kinds on fp32's exponent), against the TypeScript reference loops and
 *   against the PE's own dot product, bit for bit, with the kernel seen to have run.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidBits } from '../../sim/pe/codec.ts';
import type { FloatFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { tileKernelOf } from '../../sim/pe/tile-kernels.ts';
import { f32Rows, setWasmKernels } from '../../sim/pe/wasm/f32-rows.ts';
import { randInt, rng } from './test-util.ts';

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => ((u32[0] = b), f32[0]);
const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);

afterEach(() => setWasmKernels(true));

describe('WebAssembly fp32 rows', () => {
  for (const wat of ['sim/pe/wasm/f32-rows.wat', 'models/exec/wasm/f64-gemm.wat']) {
    it(`the committed binary of ${wat} is its assembly`, async () => {
      // @ts-expect-error: a plain ES module without types
      const { assemble } = await import('../../scripts/wasm.mjs');
      const path = new URL(`../../${wat}`, import.meta.url).pathname;
      expect(readFileSync(path.replace(/\.wat$/, '.wasm.ts'), 'utf8')).toBe(await assemble(path));
    });
  }

  it('each output is the sequential binary32 sum of binary32 products (random bit patterns)', () => {
    const kernel = f32Rows()!;
    expect(kernel).toBeDefined();
    const pattern = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), // anything: NaN, Inf, subnormal
      fc.integer({ min: 0, max: 0x007fffff }).map((b) => b | (b & 1 ? 0x80000000 : 0)), // subnormals, +-0
      fc.float({ min: -4, max: 4, noNaN: true }).map((v) => (f32[0] = v, u32[0])),
      fc.constantFrom(0, 0x80000000),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 75 }),
        fc.array(pattern, { minLength: 3 * 12 + 12 * 75 + 3 * 75, maxLength: 3 * 12 + 12 * 75 + 3 * 75 }),
        fc.array(fc.constantFrom(1, 2, 0), { minLength: 3, maxLength: 3 }),
        (m, ku, n, bits, rowFlags) => {
          const xs = bits.slice(0, m * ku).map(fromBits);
          const ws = bits.slice(m * ku, m * ku + ku * n).map(fromBits);
          const s0 = bits.slice(m * ku + ku * n, m * ku + ku * n + m * n).map(fromBits);
          const v = kernel.views(m, ku, n);
          v.x.set(xs);
          v.w.set(ws);
          v.acc.set(s0);
          for (let i = 0; i < m; i++) v.flags[i] = rowFlags[i];
          kernel.run(m, ku, n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = s0[i * n + j];
              if (rowFlags[i] !== 0) {
                for (let u = 0; u < ku; u++) {
                  const x = xs[i * ku + u];
                  if (rowFlags[i] === 1 && x === 0) continue;
                  s = Math.fround(s + Math.fround(x * ws[u * n + j]));
                }
              }
              if (!same(v.acc[i * n + j], s)) return false;
            }
          }
          return true;
        },
      ),
      { seed: 21, numRuns: 400 },
    );
  });

  for (const name of ['fp8-e4m3', 'fp8-e5m2']) {
    it(`${name}: the rounded product equals the PE's product on every one of the 65,536 operand pairs`, () => {
      const pe = getPe(name);
      const fmt = pe.input as FloatFormat;
      const kernel = f32Rows()!;
      const v = kernel.views(256, 1, 256);
      for (let c = 0; c < 256; c++) {
        v.x[c] = isValidBits(fmt, c) ? pe.inputValue(c) : 0;
        v.w[c] = isValidBits(fmt, c) ? pe.weightValue(c) : 0;
      }
      v.acc.fill(-0);
      v.flags.fill(2);
      kernel.run(256, 1, 256, { manBits: fmt.manBits, minNormal: fmt.minNormal, maxFinite: fmt.maxFinite });
      let checked = 0;
      const bad: string[] = [];
      for (let a = 0; a < 256; a++) {
        for (let b = 0; b < 256; b++) {
          if (!isValidBits(fmt, a) || !isValidBits(fmt, b) || !Number.isFinite(pe.inputValue(a)) || !Number.isFinite(pe.weightValue(b))) continue;
          checked++;
          // the PE's own MAC from -0: its product, rounded and saturated into the product format
          const want = pe.mac(-0, a, b);
          if (!same(v.acc[a * 256 + b], want) && bad.length < 5) bad.push(`${a} x ${b}: kernel ${v.acc[a * 256 + b]} PE ${want}`);
        }
      }
      expect(bad).toEqual([]);
      expect(checked).toBeGreaterThan(60000);
    });
  }

  it('lmul-m3: the L-Mul rows give the PE\'s product on every pair of finite e8m3 codes (16.7 M)', () => {
    const pe = getPe('lmul-m3');
    const fmt = pe.input as FloatFormat;
    const tile = tileKernelOf(pe)!;
    const finite: number[] = [];
    for (let c = 0; c < 2 ** fmt.bits; c++) if (Number.isFinite(pe.weightValue(c))) finite.push(c);
    const n = finite.length;
    const w = tile.prepare(Uint32Array.from(finite), 0, 1, 1, n); // one row of weights: every finite code
    const a = Uint32Array.from(finite);
    const acc = new Float64Array(n * n).fill(-0); // -0 + p = p: every product, zeros included
    const kernel = f32Rows()!;
    const before = kernel.rowsRun;
    tile.pass(a, w, n, 0, 1, acc);
    expect(kernel.rowsRun - before).toBe(n);
    const bad: string[] = [];
    for (let i = 0; i < n && bad.length < 5; i++) {
      for (let j = 0; j < n; j++) {
        const want = pe.mac(-0, finite[i], finite[j]);
        if (!same(acc[i * n + j], want) && bad.length < 5) bad.push(`${finite[i]} x ${finite[j]}: kernel ${acc[i * n + j]} PE ${want}`);
      }
    }
    expect(bad).toEqual([]);
  });

  // kinds whose tile kernel hands rows to the WebAssembly kernel (fp32 adder, fp32-exact products)
  for (const name of ['fp8-e4m3', 'fp8-e5m2', 'bf16', 'fp16', 'fp32', 'lmul-bf16', 'lmul-m3', 'lmul-m4', 'lmul-fp8-e4m3', 'int8', 'int4']) {
    it(`${name}: the kernel's rows equal the TypeScript loops and the PE's dot, bit for bit`, () => {
      const pe = getPe(name);
      const tile = tileKernelOf(pe)!;
      const r = rng(7);
      // starting states the rows must take or leave: -0, huge, NaN (fp32); near the wrap (int32)
      const wildState = (i: number) => (pe.acc.kind === 'int' ? [2 ** 31 - 3, -(2 ** 31), 7] : [-0, Math.fround(1e30), NaN])[i % 3];
      const kernel = f32Rows()!;
      const before = kernel.rowsRun;
      for (let trial = 0; trial < 12; trial++) {
        const m = 1 + randInt(r, 6), n = 1 + randInt(r, 140), k = 1 + randInt(r, 200);
        const pass = trial % 3 === 0 ? 1 + randInt(r, 40) : k;
        const a = new Uint32Array(m * k), b = new Uint32Array(k * n);
        const wild = trial % 4 === 3; // any valid pattern: NaN, Inf, subnormals
        const pick = (q: (v: number) => number) => {
          const u = r() / 2 ** 32;
          if (u < 0.3) return q(0);
          const g = (r() / 2 ** 32 - 0.5) * (r() & 1 ? 8 : 0.001) * (pe.input.kind === 'int' ? 30 : 1);
          return q(g);
        };
        for (let i = 0; i < a.length; i++) a[i] = wild && r() % 17 === 0 ? randInt(r, 2 ** pe.input.bits) >>> 0 : pick(pe.quantizeInput);
        for (let i = 0; i < b.length; i++) b[i] = wild && r() % 29 === 0 ? randInt(r, 2 ** pe.weight.bits) >>> 0 : pick(pe.quantizeWeight);
        const run = (wasm: boolean) => {
          setWasmKernels(wasm);
          const w = tile.prepare(b, n, 1, k, n);
          const acc = new Float64Array(m * n).fill(pe.accZero);
          if (trial % 5 === 4) for (let i = 0; i < acc.length; i += 3) acc[i] = wildState(i);
          for (let k0 = 0; k0 < k; k0 += pass) tile.pass(a, w, m, k0, Math.min(pass, k - k0), acc);
          return acc;
        };
        const fast = run(true), ts = run(false);
        const want = new Float64Array(m * n).fill(pe.accZero);
        if (trial % 5 === 4) for (let i = 0; i < want.length; i += 3) want[i] = wildState(i);
        for (let k0 = 0; k0 < k; k0 += pass) {
          const ku = Math.min(pass, k - k0);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[i * n + j] = pe.dot(a, i * k + k0, 1, b, k0 * n + j, n, ku, want[i * n + j]);
        }
        for (let idx = 0; idx < m * n; idx++) {
          expect(same(fast[idx], ts[idx]), `${name} trial ${trial} out ${idx}: wasm ${fast[idx]} ts ${ts[idx]}`).toBe(true);
          expect(same(fast[idx], want[idx]), `${name} trial ${trial} out ${idx}: wasm ${fast[idx]} dot ${want[idx]}`).toBe(true);
        }
      }
      expect(kernel.rowsRun).toBeGreaterThan(before);
    });
  }
});
