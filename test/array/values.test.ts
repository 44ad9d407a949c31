/**
 * Output values against plain matrix products written here: in fp32 the array's bits equal a
 * sequential fp32 product (same order: no tolerance), and are close to the exact product
 * (different order: a tolerance). A bf16 partial-sum format rounds between folds exactly as a
 * hand-written bf16 round-to-nearest-even says.
 */
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer, gemmView, type Layer } from '../../sim/workload/layer.ts';
import { fastEngine } from '../../sim/array/fast-engine.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { referenceEngine } from '../../sim/array/reference-engine.ts';
import { BF16 } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { im2col } from '../../sim/workload/im2col.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import type { Dataflow } from '../../sim/arch/schema.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (v: number): number => {
  f32[0] = v;
  return u32[0];
};
const valueOf = (bits: number): number => {
  u32[0] = bits;
  return f32[0];
};
/** bf16 from an fp32 pattern, round to nearest even (docs/SOURCES.md; no NaNs here) */
const bf16Round = (v: number): number => {
  const b = bitsOf(v);
  const r = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  return valueOf((r << 16) >>> 0);
};

function randomFp32(seed: number, n: number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = bitsOf(Math.fround((s / 2 ** 32) * 4 - 2));
  }
  return out;
}

/** A (M x K, fp32 bits) x B (K x N) summed in k order in fp32, optional rounding every `chunk` */
function sequentialProduct(a: Float64Array, b: Float64Array, m: number, n: number, k: number, chunk = k, round = (v: number) => v): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) {
        s = Math.fround(s + Math.fround(valueOf(a[i * k + kk]) * valueOf(b[kk * n + j])));
        if ((kk + 1) % chunk === 0 || kk === k - 1) s = round(s);
      }
      out.push(bitsOf(s));
    }
  }
  return out;
}

describe('output values', () => {
  const pe = getPe('fp32');
  const shapes: [number, number, number, number, number][] = [
    [7, 5, 9, 3, 4], [12, 12, 12, 4, 4], [1, 9, 17, 8, 2], [10, 3, 1, 2, 5], [16, 8, 30, 8, 8],
  ];
  for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
    it(`fp32 ${df}: bits equal a sequential fp32 matrix product, values near the exact one`, () => {
      for (const [m, n, k, R, C] of shapes) {
        const layer: Layer = gemmLayer('g', m, n, k);
        const a = randomFp32(m * 31 + k, m * k);
        const b = randomFp32(n * 17 + k, k * n);
        const ops = { pe, psum: psumStore(pe), a, b };
        const mp = mapGemm(gemmView(layer), R, C, df);
        for (const eng of [fastEngine, referenceEngine]) {
          const out = Array.from(eng({ layer, mapping: mp, operands: ops }).out ?? []);
          expect(out).toEqual(sequentialProduct(a, b, m, n, k));
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let exact = 0;
              for (let kk = 0; kk < k; kk++) exact += valueOf(a[i * k + kk]) * valueOf(b[kk * n + j]);
              expect(Math.abs(valueOf(out[i * n + j]) - exact)).toBeLessThanOrEqual(1e-5 * k * 4);
            }
          }
        }
      }
    });
  }

  it('a bf16 partial-sum format rounds between folds (ws, is) and once at the end (os)', () => {
    const [m, n, k, R, C] = [9, 6, 23, 4, 3];
    const layer = gemmLayer('g', m, n, k);
    const a = randomFp32(5, m * k);
    const b = randomFp32(6, k * n);
    const ops = { pe, psum: psumStore(pe, BF16), a, b };
    const toBf16Bits = (fp32Bits: number) => fp32Bits >>> 16;
    for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
      const mp = mapGemm(gemmView(layer), R, C, df);
      // ws/is fold the window over R rows: a rounding after every R products
      const chunk = df === 'os' ? k : R;
      const expected = sequentialProduct(a, b, m, n, k, chunk, bf16Round).map(toBf16Bits);
      for (const eng of [fastEngine, referenceEngine]) {
        expect(Array.from(eng({ layer, mapping: mp, operands: ops }).out ?? [])).toEqual(expected);
      }
    }
    // and it is visibly different from keeping fp32 partial sums
    const mp = mapGemm(gemmView(layer), R, C, 'ws');
    const wide = sequentialProduct(a, b, m, n, k).map((x) => bf16Round(valueOf(x)));
    const narrow = Array.from(fastEngine({ layer, mapping: mp, operands: ops }).out ?? []).map((x) => valueOf((x << 16) >>> 0));
    expect(narrow).not.toEqual(wide);
  });

  it('int8 convolution with padding, stride 2 and im2col equals a direct convolution written here', () => {
    const int8 = getPe('int8');
    // 'same' on a 5x6 input, 3x3 filter, strides 1 x 2: pads top 1, bottom 1, left 0, right 1
    const layer = convLayer({ name: 'c', inH: 5, inW: 6, kH: 3, kW: 3, channels: 2, filters: 3, strideH: 1, strideW: 2, padding: 'same' });
    expect([layer.padTop, layer.padBottom, layer.padLeft, layer.padRight]).toEqual([1, 1, 0, 1]);
    const g = gemmView(layer);
    const outH = 5, outW = 3;
    expect(g).toEqual({ m: outH * outW, n: 3, k: 18 });
    const ifmap: number[] = [];
    for (let i = 0; i < 5 * 6 * 2; i++) ifmap.push(((i * 37) % 15) - 7);
    const w: number[] = [];
    for (let i = 0; i < g.k * g.n; i++) w.push(((i * 11) % 9) - 4);
    const enc = (v: number) => (v < 0 ? v + 256 : v);
    const { a } = im2col(layer, g.m, g.k, ifmap.map(enc), int8.quantizeInput(0));
    const b = Float64Array.from(w.map(enc));
    const expected: number[] = [];
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let f = 0; f < 3; f++) {
          let s = 0;
          for (let kh = 0; kh < 3; kh++) {
            for (let kw = 0; kw < 3; kw++) {
              for (let c = 0; c < 2; c++) {
                const ih = oh + kh - 1, iw = ow * 2 + kw;
                if (ih < 0 || ih >= 5 || iw < 0 || iw >= 6) continue;
                s += ifmap[(ih * 6 + iw) * 2 + c] * w[((kh * 3 + kw) * 2 + c) * 3 + f];
              }
            }
          }
          expected.push(s < 0 ? s + 2 ** 32 : s);
        }
      }
    }
    for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
      const mp = mapGemm(g, 4, 2, df);
      for (const eng of [fastEngine, referenceEngine]) {
        const out = eng({ layer, mapping: mp, operands: { pe: int8, psum: psumStore(int8), a, b } }).out;
        expect(Array.from(out ?? [])).toEqual(expected);
      }
    }
  });
});
