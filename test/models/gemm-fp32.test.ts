/**
 * GEMM results written as fp32 straight from the tile kernel (ArrayBackend.gemmFp32, the float
 * kinds' WebAssembly rows with `out32`): on fp32 the sequential fp32 sum of fp32 products from
 * +0, computed here with Math.fround; on every float and L-Mul kind the bits of `gemm`'s float64
 * results rounded to fp32, one-call B operands and causal cuts included, also where a row cannot
 * run in the rows (a NaN activation) or the kernel is off, the operands quantized once; refused
 * (false, the output untouched) where a scale applies. On the fp8 kinds, fp32 operands quantized
 * inside the rows (ArrayBackend.gemmFp32 -> orderedGemmFp32Values): against the sequential fp32
 * sum of rounded products of rounded operands, each rounding the generic codec's, specials and
 * saturation included; a value the rows refuse sends the GEMM through the codes, same bits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';
import { f32Rows } from '../../sim/pe/wasm/f32-rows.ts';
import { narrowRows } from '../../sim/pe/wasm/narrow-quantize.ts';
import { decodeFloat, encodeFloat } from '../../sim/pe/float-codec.ts';
import { E4M3, E5M2 } from '../../sim/pe/formats.ts';

const values = (n: number, seed: number, scale: number) =>
  Float32Array.from({ length: n }, (_, i) => (((i * 7 + seed) % 13) === 0 ? 0 : Math.fround(Math.sin(i * 1.37 + seed) * scale)));
const same = (a: number, b: number) => Object.is(a, b) || (a !== a && b !== b);
const backends = new Map<string, ReturnType<typeof arrayBackend>>();
const be = (kind: string) => backends.get(kind) ?? backends.set(kind, arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 })).get(kind)!;

describe('fp32 results straight from the tile kernel', () => {
  afterEach(() => setWasmKernels(true));

  it('fp32: each output the fp32 sum of fp32 products in k order from +0', () => {
    const be = arrayBackend(getPe('fp32'), { dataflow: 'os', rows: 32 });
    for (const [m, n, k] of [[5, 7, 3], [16, 33, 40], [128, 32, 128]]) {
      const a = values(m * k, 1, 3), b = values(k * n, 2, 0.5);
      const o = new Float32Array(m * n).fill(NaN);
      expect(be.gemmFp32!(a, b, m, n, k, 1, 1, o, { once: true })).toBe(true);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a[i * k + p] * b[p * n + j]));
          expect(Object.is(o[i * n + j], s), `(${i}, ${j})`).toBe(true);
        }
      }
    }
  });

  it.each(['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3'])('%s: the bits of gemm rounded to fp32, weights and one-call B, with and without a cut', (kind) => {
    const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
    for (const [m, n, k, scale] of [[9, 20, 17, 4], [64, 128, 32, 2], [128, 48, 128, 600]]) {
      const a = values(m * k, 3, scale), w = values(k * n, 4, 0.25);
      const cols = Int32Array.from({ length: m }, (_, i) => Math.min(n, i + 1));
      for (const use of [undefined, { once: true }, { once: true, cols }]) {
        const want = be.gemm(a, w, m, n, k, 1, 1, undefined, use);
        const o = new Float32Array(m * n);
        expect(be.gemmFp32!(a, w, m, n, k, 1, 1, o, use)).toBe(true);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < (use?.cols ? cols[i] : n); j++) expect(same(o[i * n + j], Math.fround(want[i * n + j])), `${kind} (${i}, ${j})`).toBe(true);
        }
      }
    }
  });

  it("where a row cannot run in the rows (a NaN activation) or the kernel is off: gemm's bits all the same, from one quantization", () => {
    const seen: number[] = [];
    const be = arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 }, (_a, _b, m) => seen.push(m));
    const m = 8, n = 16, k = 8;
    const a = values(m * k, 5, 2), w = values(k * n, 6, 0.5);
    a[3 * k + 2] = NaN;
    for (const wasm of [true, false]) {
      setWasmKernels(wasm);
      seen.length = 0;
      const o = new Float32Array(m * n).fill(7);
      expect(be.gemmFp32!(a, w, m, n, k, 1, 1, o, { once: true })).toBe(true);
      expect(seen).toEqual([m]); // the operands quantized (and observed) once
      const want = be.gemm(a, w, m, n, k, 1, 1, undefined, { once: true });
      for (let i = 0; i < m * n; i++) expect(same(o[i], Math.fround(want[i])), `${wasm} ${i}`).toBe(true);
      expect(o[3 * n]).toBeNaN();
    }
  });

  for (const [kind, f] of [['fp8-e4m3', E4M3], ['fp8-e5m2', E5M2]] as const) {
    it(`${kind}: fp32 operands quantized where the rows read them give the sequential fp32 sum of the ${f.name} products of ${f.name} operands, written out with the generic codec`, () => {
      // the PE's arithmetic (catalogue.ts): inputs and products rounded to nearest even, saturating
      const q = (x: number) => decodeFloat(f, encodeFloat(f, x, { saturate: true }));
      const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const rows = f32Rows()!, narrow = narrowRows()!;
      for (const [m, n, k, scale] of [[9, 20, 17, 4], [64, 128, 32, 2], [33, 48, 128, 900]]) {
        const a = values(m * k, 7, scale), w = values(k * n, 8, 0.25);
        // -0, a subnormal, values beyond the largest finite one (saturated), +-Inf
        a[1] = -0; a[2] = 2 ** -8; a[3] = 1e6; a[4] = -Infinity; w[5] = -1e5; w[6] = 3 * 2 ** -16;
        const cols = Int32Array.from({ length: m }, (_, i) => Math.min(n, 2 * i + 1));
        // the weights quantized and laid out once, on their first call (and the rows' checks run)
        be.gemmFp32!(a, w, m, n, k, 1, 1, new Float32Array(m * n));
        for (const use of [undefined, { once: true }, { once: true, cols }]) {
          const o = new Float32Array(m * n).fill(7);
          const before = { rows: rows.rowsRun, calls: narrow.calls };
          expect(be.gemmFp32!(a, w, m, n, k, 1, 1, o, use)).toBe(true);
          // every row in the rows, no operand quantized outside them
          expect(rows.rowsRun - before.rows).toBe(m);
          expect(narrow.calls - before.calls).toBe(0);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < (use?.cols ? cols[i] : n); j++) {
              let sum = 0;
              for (let p = 0; p < k; p++) sum = Math.fround(sum + q(q(a[i * k + p]) * q(w[p * n + j])));
              expect(same(o[i * n + j], sum), `${kind} ${m}x${n}x${k} ${use ? 'once' : 'weights'} (${i}, ${j})`).toBe(true);
            }
          }
        }
      }
    });
  }

  for (const [kind, f] of [['fp8-e4m3', E4M3], ['fp8-e5m2', E5M2]] as const) {
    it(`${kind}: activations whose every product rounds to zero left out of the lists (many of them, as in GELU outputs): the same sequential sum`, () => {
      const q = (x: number) => decodeFloat(f, encodeFloat(f, x, { saturate: true }));
      // half the format's smallest subnormal: a product of at most this much rounds to 0 (a tie to the even 0)
      const half = f.minNormal * 2 ** -(f.manBits + 1);
      const m = 40, n = 36, k = 64;
      // weight rows whose largest |w| is 2^-5 (some), the rest larger; activations mostly tiny
      const w = Float32Array.from({ length: k * n }, (_, i) => {
        const u = Math.floor(i / n), j = i % n;
        if (u % 3 === 0) return j === u % n ? (u % 2 ? -1 : 1) * 2 ** -5 : Math.fround(Math.sin(i) * 2 ** -6);
        return Math.fround(Math.sin(i * 0.7) * 0.3);
      });
      // |x| times the row's largest |w|: below, at (a tie: rounds to 0) and just above the bound, and ordinary values
      const bound = half / 2 ** -5;
      const a = Float32Array.from({ length: m * k }, (_, i) => {
        const r = (i * 2654435761) % 97;
        if (r < 60) return (r % 2 ? -1 : 1) * bound * [0.25, 0.5, 1][r % 3];
        if (r < 70) return (r % 2 ? -1 : 1) * bound * 1.25;
        return Math.fround(Math.cos(i) * 3);
      });
      const rows = f32Rows()!;
      // the first call lays the weights out, runs the rows' own checks and sees how much of A is tiny
      be(kind).gemmFp32!(a, w, m, n, k, 1, 1, new Float32Array(m * n));
      for (const [label, use] of [['weights', undefined], ['weights again', undefined], ['cut', { cols: Int32Array.from({ length: m }, (_, i) => Math.min(n, i + 3)) }]] as const) {
        const o = new Float32Array(m * n).fill(7);
        const before = { rows: rows.rowsRun, checked: rows.tinyChecked };
        expect(be(kind).gemmFp32!(a, w, m, n, k, 1, 1, o, use)).toBe(true);
        expect(rows.rowsRun - before.rows).toBe(m);
        // the lists looked for such activations (most of this A is tiny)
        expect(rows.tinyChecked - before.checked, label).toBe(1);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < (use?.cols ? use.cols[i] : n); j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum = Math.fround(sum + q(q(a[i * k + p]) * q(w[p * n + j])));
            expect(same(o[i * n + j], sum), `${kind} ${label} (${i}, ${j})`).toBe(true);
          }
        }
      }
    });
  }

  for (const [kind, f] of [['fp8-e4m3', E4M3], ['fp8-e5m2', E5M2]] as const) {
    it(`${kind}: a row's small products (all within the format's first two binades) summed apart and first: the same sequential sum, and the one list in k order where the sum could be inexact`, () => {
      const q = (x: number) => decodeFloat(f, encodeFloat(f, x, { saturate: true }));
      // products of magnitude at most twice the smallest normal have the subnormals' step q
      const edge = 2 * f.minNormal, step = f.minNormal * 2 ** -f.manBits;
      // n = 45: the rows' 32-, 4- and 1-output loops all run
      const m = 24, n = 45, k = 192;
      // weight rows of largest |w| 2^-3 (even rows: some weights subnormal or zero) or 1 (odd rows:
      // every |w| 0.875-1, its sign the column's)
      const w = Float32Array.from({ length: k * n }, (_, i) => {
        const u = Math.floor(i / n), j = i % n;
        if (u % 2) return (j % 2 ? -1 : 1) * (j === (u * 5) % n ? 1 : 0.875 + 0.0625 * ((i * 7) % 3));
        if (j === (u * 5) % n) return (u % 4 ? -1 : 1) * 2 ** -3;
        if ((i * 11) % 17 === 0) return j % 2 ? 0 : step * (1 + (i % 3));
        return Math.fround(Math.sin(i * 0.9) * 0.12);
      });
      const rowMax = (u: number) => (u % 2 ? 1 : 2 ** -3);
      // |x| times the row's largest |w|: tiny, small (up to exactly the edge), just above it, ordinary
      const a = Float32Array.from({ length: m * k }, (_, i) => {
        const u = i % k, r = (i * 2654435761) % 101, sign = r % 2 ? -1 : 1;
        if (r < 10) return sign * (step / 4) / rowMax(u);
        if (r < 60) return sign * edge / rowMax(u) * [1, 0.75, 0.3, 0.55, 0.0625][r % 5];
        if (r < 70) return sign * edge / rowMax(u) * 1.125;
        return Math.fround(Math.cos(i) * 2 * edge / rowMax(u) * (1 + (r % 7)));
      });
      // rows 20-23: the largest activations against the odd weight rows, products of one sign
      // per column whose sum passes 2^24 q (e4m3 32768, e5m2 256), where the small products added first round
      // differently (the row must keep k order)
      const big = f.name === 'e4m3' ? 448 : 4;
      for (let i = 20; i < 24; i++) for (let u = 1; u < k; u += 2) a[i * k + u] = big;
      // row 19: one of them, its magnitudes' sum still within the bound (2^22 q): split
      a[19 * k + 1] = big;
      const rows = f32Rows()!;
      be(kind).gemmFp32!(a, w, m, n, k, 1, 1, new Float32Array(m * n));
      for (const [label, use] of [['weights', undefined], ['cut', { cols: Int32Array.from({ length: m }, (_, i) => Math.min(n, 2 * i + 3)) }]] as const) {
        const o = new Float32Array(m * n).fill(7);
        const before = { rows: rows.rowsRun, split: rows.splitRows };
        expect(be(kind).gemmFp32!(a, w, m, n, k, 1, 1, o, use)).toBe(true);
        expect(rows.rowsRun - before.rows).toBe(m);
        // every row but the four whose magnitudes add up too far split its products
        expect(rows.splitRows - before.split, label).toBe(m - 4);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < (use?.cols ? use.cols[i] : n); j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum = Math.fround(sum + q(q(a[i * k + p]) * q(w[p * n + j])));
            expect(same(o[i * n + j], sum), `${kind} ${label} (${i}, ${j})`).toBe(true);
          }
        }
      }
      // and the large rows' order matters: their small products added first differ somewhere
      let differ = 0;
      for (let i = 20; i < 24; i++) {
        for (let j = 0; j < n; j++) {
          let small = 0, large = 0, seq = 0;
          for (let p = 0; p < k; p++) {
            const r = q(q(a[i * k + p]) * q(w[p * n + j]));
            seq = Math.fround(seq + r);
            if (Math.abs(q(a[i * k + p])) * rowMax(p) <= edge) small = Math.fround(small + r);
          }
          for (let p = 0; p < k; p++) if (!(Math.abs(q(a[i * k + p])) * rowMax(p) <= edge)) large = Math.fround(large + q(q(a[i * k + p]) * q(w[p * n + j])));
          large = Math.fround(small + large);
          if (!same(large, seq)) differ++;
        }
      }
      expect(differ).toBeGreaterThan(0);
    });
  }

  it('a product format of more than 21 mantissa bits (--product) never sums apart: the bits of the TypeScript loops', () => {
    // M0 = 1.5 minN 2^(23 - manBits) is then too small for p + M0 to stay in its binade (here
    // one product of at most 2 minN = 2^-29, which the bounds let through)
    for (const [product, x, wv] of [['e6m23', 2 ** -16, -3 * 2 ** -16], ['e6m22', 2 ** -15, -3 * 2 ** -16], ['e6m22', 2 ** -15, 3 * 2 ** -16], ['e6m21', 2 ** -14, -3 * 2 ** -16]] as const) {
      const a = Float32Array.of(x), w = Float32Array.of(wv);
      const run = () => {
        const o = new Float32Array(1).fill(7);
        expect(arrayBackend(getPe('fp8-e5m2', { product }), { dataflow: 'os', rows: 32 }).gemmFp32!(a, w, 1, 1, 1, 1, 1, o)).toBe(true);
        return o[0];
      };
      const rows = f32Rows()!;
      const before = rows.splitRows;
      const got = run();
      if (product !== 'e6m21') expect(rows.splitRows - before, product).toBe(0);
      setWasmKernels(false);
      const want = run();
      setWasmKernels(true);
      expect(same(got, want), `${product} ${x} x ${wv}: ${got} vs ${want}`).toBe(true);
    }
  });

  it('fp32 operands with a value the rows refuse (a NaN activation, a NaN one-call weight): the same bits through the codes', () => {
    for (const kind of ['fp8-e4m3', 'fp8-e5m2']) {
      const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const m = 8, n = 16, k = 8;
      for (const [x, y] of [[NaN, 0.5], [1, NaN], [1, Infinity]]) {
        const a = values(m * k, 5, 2), w = values(k * n, 6, 0.5);
        a[3 * k + 2] = x;
        w[2 * n + 5] = y;
        const o = new Float32Array(m * n).fill(7);
        expect(be.gemmFp32!(a, w, m, n, k, 1, 1, o, { once: true })).toBe(true);
        const want = be.gemm(a, w, m, n, k, 1, 1, undefined, { once: true });
        for (let i = 0; i < m * n; i++) expect(same(o[i], Math.fround(want[i])), `${kind} ${x} ${y} ${i}`).toBe(true);
        // NaN where a NaN enters (row 3, or column 5); an infinite value saturates (fp8 inputs do)
        expect(Number.isNaN(o[3 * n + 5])).toBe(Number.isNaN(x) || Number.isNaN(y));
      }
    }
  });

  it.each(['fp32', 'bf16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-m4'])('%s: a bias added to each row as the results are written, each sum a binary32 addition', (kind) => {
    const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
    for (const [m, n, k] of [[9, 20, 17], [64, 130, 32]]) {
      const a = values(m * k, 11, 3), w = values(k * n, 12, 0.25);
      const bias = Float32Array.from({ length: n }, (_, j) => (j === 3 ? NaN : j === 4 ? -0 : Math.fround(Math.cos(j) * 5)));
      for (const use of [undefined, { once: true }]) {
        const plain = new Float32Array(m * n), biased = new Float32Array(m * n);
        expect(be.gemmFp32!(a, w, m, n, k, 1, 1, plain, use)).toBe(true);
        expect(be.gemmFp32!(a, w, m, n, k, 1, 1, biased, { ...use, bias })).toBe(true);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) expect(same(biased[i * n + j], Math.fround(bias[j] + plain[i * n + j])), `${kind} (${i}, ${j})`).toBe(true);
        }
      }
    }
  });

  it('not offered where the states are no values or the operands are scaled (int8, MX)', () => {
    expect(arrayBackend(getPe('int8'), { dataflow: 'os', rows: 32 }).gemmFp32).toBeUndefined();
    expect(arrayBackend(getPe('mxfp8-e4m3'), { dataflow: 'os', rows: 32 }).gemmFp32).toBeUndefined();
    const be = arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 });
    const o = new Float32Array(4).fill(7);
    expect(be.gemmFp32!(values(4, 1, 1), values(4, 2, 1), 2, 2, 2, 2, 1, o)).toBe(false);
    expect(o.every((v) => v === 7)).toBe(true);
  });
});
