/**
 * The WebAssembly fp32 rows (sim/pe/wasm/f32-rows.wat):
 * - the committed binaries are the assembly of the committed texts (scripts/wasm.mjs);
 * - the raw kernel against IEEE binary32 arithmetic done independently (Math.fround of the
 *   float64 sum and product, which round once: binary64 has more than 2 x 24 + 2 bits), on
 *   random fp32 bit patterns of every kind (subnormals, Inf, NaN, -0) and every row length;
 * - the fp8 product rounding on every operand pair, against the PE's own MAC;
 * - every PE kind whose tile kernel hands it rows (fp32 adder: bf16, fp16, fp32, fp8 and the
 *   L-Mul kinds on fp32's exponent), against the TypeScript reference loops and
 *   against the PE's own dot product, bit for bit, with the kernel seen to have run;
 * - memory stays bounded when every GEMM brings a new B (an attention matmul's keys and
 *   values), and a B passed again (a layer's weights) gives the same bits from the arena.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidBits } from '../../sim/pe/codec.ts';
import type { FloatFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { tileKernelOf } from '../../sim/pe/tile-kernels.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { f32Rows, setWasmKernels } from '../../sim/pe/wasm/f32-rows.ts';
import { randInt, rng } from './test-util.ts';

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => ((u32[0] = b), f32[0]);
const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);

afterEach(() => setWasmKernels(true));

describe('WebAssembly fp32 rows', () => {
  for (const wat of ['sim/pe/wasm/f32-rows.wat', 'sim/pe/wasm/f64-gemm.wat', 'models/exec/wasm/vector-rows.wat']) {
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
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 75 }), fc.boolean(),
        fc.array(pattern, { minLength: 3 * 12 + 12 * 75 + 3 * 75, maxLength: 3 * 12 + 12 * 75 + 3 * 75 }),
        (m, k, n, keepZeros, bits) => {
          // fp32 operands: the activations' bit patterns are their codes ('bits')
          const a = Uint32Array.from(bits.slice(0, m * k));
          const ws = Float32Array.from(bits.slice(m * k, m * k + k * n), fromBits);
          const s0 = Float64Array.from(bits.slice(m * k + k * n, m * k + k * n + m * n), fromBits);
          const acc = Float64Array.from(s0);
          const done = kernel.pass({ a, m, k, k0: 0, ku: k, n, acc, w: ws, dec: 'bits', keepZeros })!;
          for (let i = 0; i < m; i++) {
            // a row with a -0 state adds zero products (fp32's -0 + +0 = +0); a row left alone keeps its states
            const addZeros = keepZeros || Array.from(s0.subarray(i * n, i * n + n)).some((v) => Object.is(v, -0));
            for (let j = 0; j < n; j++) {
              let s = s0[i * n + j];
              if (done[i] === 1) {
                for (let u = 0; u < k; u++) {
                  const x = fromBits(a[i * k + u]);
                  if (!addZeros && x === 0) continue;
                  s = Math.fround(s + Math.fround(x * ws[u * n + j]));
                }
              }
              if (!same(acc[i * n + j], s)) return false;
            }
            if (done[i] !== 1) return false; // fp32 states and 'bits' codes: every row runs
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
      // every code (a row, k = 1) against every code (a column), from -0 (-0 + p is p)
      const usable = Uint8Array.from({ length: 256 }, (_, c) => (isValidBits(fmt, c) && Number.isFinite(pe.inputValue(c)) ? 1 : 0));
      const dec = Float32Array.from({ length: 256 }, (_, c) => (usable[c] ? pe.inputValue(c) : 0));
      const w = Float32Array.from({ length: 256 }, (_, c) => (usable[c] ? pe.weightValue(c) : 0));
      const acc = new Float64Array(256 * 256).fill(-0);
      const a = Uint32Array.from({ length: 256 }, (_, c) => c);
      kernel.pass({ a, m: 256, k: 1, k0: 0, ku: 1, n: 256, acc, w, dec, usable, keepZeros: true, rounding: { manBits: fmt.manBits, minNormal: fmt.minNormal, maxFinite: fmt.maxFinite } });
      let checked = 0;
      const bad: string[] = [];
      for (let a = 0; a < 256; a++) {
        for (let b = 0; b < 256; b++) {
          if (!isValidBits(fmt, a) || !isValidBits(fmt, b) || !Number.isFinite(pe.inputValue(a)) || !Number.isFinite(pe.weightValue(b))) continue;
          checked++;
          // the PE's own MAC from -0: its product, rounded and saturated into the product format
          const want = pe.mac(-0, a, b);
          if (!same(acc[a * 256 + b], want) && bad.length < 5) bad.push(`${a} x ${b}: kernel ${acc[a * 256 + b]} PE ${want}`);
        }
      }
      expect(bad).toEqual([]);
      expect(checked).toBeGreaterThan(60000);
    });
  }

  for (const name of ['fp8-e4m3', 'fp8-e5m2']) {
    it(`${name}: from +0 states (no sign steps), clamped and unclamped rows give the PE's MAC on every operand pair`, () => {
      const pe = getPe(name);
      const fmt = pe.input as FloatFormat;
      const kernel = f32Rows()!;
      const rounding = { manBits: fmt.manBits, minNormal: fmt.minNormal, maxFinite: fmt.maxFinite };
      const ok = (c: number) => isValidBits(fmt, c) && Number.isFinite(pe.inputValue(c));
      const usable = Uint8Array.from({ length: 256 }, (_, c) => (ok(c) ? 1 : 0));
      const dec = Float32Array.from({ length: 256 }, (_, c) => (usable[c] ? pe.inputValue(c) : 0));
      const a = Uint32Array.from({ length: 256 }, (_, c) => c);
      const bad: string[] = [];
      const check = (acc: Float64Array, width: number, code: (j: number) => number) => {
        for (let x = 0; x < 256; x++) {
          for (let j = 0; j < width; j++) {
            const b = code(j);
            if (!ok(x) || b < 0 || !ok(b)) continue;
            const want = pe.mac(0, x, b); // the PE's own MAC from +0
            if (!same(acc[x * width + j], want) && bad.length < 5) bad.push(`${x} x ${b}: kernel ${acc[x * width + j]} PE ${want}`);
          }
        }
      };
      // every code against every code beside 16 lanes of 2^127: every row's products clamped
      const wide = Float32Array.from({ length: 272 }, (_, j) => (j < 256 ? (ok(j) ? pe.weightValue(j) : 0) : 2 ** 127));
      const acc = new Float64Array(256 * 272);
      kernel.pass({ a, m: 256, k: 1, k0: 0, ku: 1, n: 272, acc, w: wide, dec, usable, keepZeros: false, rounding });
      check(acc, 272, (j) => (j < 256 ? j : -1));
      // 16 lanes of one weight code: rows whose |x| * |w| stays within the format's largest value skip the clamp
      let unclamped = 0;
      for (let b = 0; b < 256; b++) {
        if (!ok(b)) continue;
        const one = new Float64Array(256 * 16);
        kernel.pass({ a, m: 256, k: 1, k0: 0, ku: 1, n: 16, acc: one, w: new Float32Array(16).fill(pe.weightValue(b)), dec, usable, keepZeros: false, rounding });
        check(one, 16, () => b);
        for (let x = 0; x < 256; x++) if (ok(x) && Math.abs(pe.inputValue(x) * pe.weightValue(b)) <= fmt.maxFinite) unclamped++;
      }
      expect(bad).toEqual([]);
      expect(unclamped).toBeGreaterThan(30000);
    });
  }

  it('a first pass over +0 states, taken unread: rows the kernel leaves keep +0 for the TypeScript loops; the others as from +0', () => {
    const pe = getPe('fp8-e4m3');
    const fmt = pe.input as FloatFormat;
    const kernel = f32Rows()!;
    const rounding = { manBits: fmt.manBits, minNormal: fmt.minNormal, maxFinite: fmt.maxFinite };
    const ok = (c: number) => isValidBits(fmt, c) && Number.isFinite(pe.inputValue(c));
    const dec = Float32Array.from({ length: 256 }, (_, c) => (ok(c) ? pe.inputValue(c) : 0));
    // code 0x38 (1.0) may not enter here: its rows are left to the caller
    const usable = Uint8Array.from({ length: 256 }, (_, c) => (ok(c) && c !== 0x38 ? 1 : 0));
    const m = 6, k = 40, n = 48;
    const r = rng(11);
    const code = () => pe.quantizeInput((r() / 2 ** 32 - 0.5) * 4);
    const a = Uint32Array.from({ length: m * k }, () => {
      const c = code();
      return c === 0x38 ? 0x30 : c;
    });
    a[2 * k + 7] = 0x38;
    const wCodes = Uint32Array.from({ length: k * n }, () => pe.quantizeWeight((r() / 2 ** 32 - 0.5) * 2));
    const w = Float32Array.from(wCodes, (c) => pe.weightValue(c));
    // the kernel's memory holds other states from an earlier call
    kernel.pass({ a: a.map((c) => (c === 0x38 ? 0x30 : c)), m, k, k0: 0, ku: k, n, acc: new Float64Array(m * n).fill(3), w, dec, usable, keepZeros: false, rounding });
    const acc = new Float64Array(m * n);
    const done = kernel.pass({ a, m, k, k0: 0, ku: k, n, acc, w, dec, usable, keepZeros: false, rounding, fresh: true })!;
    expect([...done]).toEqual([1, 1, 0, 1, 1, 1]);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const want = i === 2 ? 0 : pe.dot(a, i * k, 1, wCodes, j, n, k, 0);
        expect(same(acc[i * n + j], want), `row ${i} out ${j}: ${acc[i * n + j]} vs ${want}`).toBe(true);
      }
    }
  });

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
          const wildStates = trial % 5 === 4;
          if (wildStates) for (let i = 0; i < acc.length; i += 3) acc[i] = wildState(i);
          // a first pass over +0 states may be taken unread (rows left to TypeScript keep +0)
          const fresh = !wildStates && Object.is(pe.accZero, 0);
          for (let k0 = 0; k0 < k; k0 += pass) tile.pass(a, w, m, k0, Math.min(pass, k - k0), acc, fresh && k0 === 0);
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

  it('one-call B operands do not pile up in memory; a B passed again is read from the arena, the same bits', () => {
    const kernel = f32Rows()!;
    const backend = arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 });
    const m = 64, k = 128, n = 128, r = rng(7);
    const a = Float32Array.from({ length: m * k }, () => r() * 4 - 2);
    const fresh = () => Float32Array.from({ length: k * n }, () => r() * 0.5 - 0.25);
    const w = fresh();
    // the first pass of w is copied beside the call, the second makes it resident, the third reads it there
    const resident0 = kernel.residentBytes;
    const first = backend.gemm(a, w, m, n, k, 1, 1).slice();
    expect(kernel.residentBytes).toBe(resident0);
    const rows0 = kernel.rowsRun;
    for (let i = 0; i < 2; i++) expect(backend.gemm(a, w, m, n, k, 1, 1)).toEqual(first);
    expect(kernel.rowsRun).toBeGreaterThan(rows0);
    expect(kernel.residentBytes - resident0).toBe(4 * k * n);
    const before = kernel.residentBytes;
    // 200 GEMMs with a new 64 KB B each (13 MB in all): none of them stays
    for (let i = 0; i < 200; i++) backend.gemm(a, fresh(), m, n, k, 1, 1, undefined, { once: true });
    expect(kernel.residentBytes).toBe(before);
  });
});
