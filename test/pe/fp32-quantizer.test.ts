/**
 * The table quantizer for fp32 inputs against the generic encoder (itself checked against
 * exact rational arithmetic in fp8.test.ts): every top half with low halves chosen to hit
 * each sticky case; its whole-array form both in WebAssembly (the `narrow` rows of sim/pe/wasm/f32-rows.wat,
 * for the formats whose tables it reproduces) and through the tables.
 */
import { describe, expect, it } from 'vitest';
import { decodeFloat, encodeFloat, floatDecodeTable } from '../../sim/pe/float-codec.ts';
import { E2M1, E2M3, E3M2, E4M3, E5M2, E4M3FNUZ, BF16, FP16, FP32, floatFormat } from '../../sim/pe/formats.ts';
import { fp32Quantizer, saturatingEncoder } from '../../sim/pe/fp32-quantizer.ts';
import { narrowRows, valuesForm } from '../../sim/pe/wasm/narrow-quantize.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';
import { rng } from './test-util.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

describe('fp32 table quantizer', () => {
  for (const [f, opts] of [
    [E4M3, { saturate: true }], [E4M3, {}], [E5M2, { saturate: true }], [E4M3FNUZ, {}],
    [floatFormat('e8m3', 8, 3), { round: 'trunc' as const }], [floatFormat('e8m4', 8, 4), {}],
    // formats without NaN: fp32 NaN patterns are refused, everything else is in the tables
    [E2M1, { saturate: true }], [E3M2, {}], [E2M3, { round: 'trunc' as const }],
    [BF16, {}], [BF16, { saturate: true }], [BF16, { round: 'trunc' as const }], [floatFormat('e5m7', 5, 7), {}], [FP32, {}],
  ] as const) {
    it(`${f.name} ${JSON.stringify(opts)}: equals the generic encoder on every top half`, () => {
      const q = fp32Quantizer(f, opts)!;
      const bad: string[] = [];
      for (let hi = 0; hi < 65536; hi++) {
        for (const lo of [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff]) {
          u32[0] = hi * 65536 + lo;
          const x = f32[0];
          if (Number.isNaN(x) && f.nanCode === undefined) {
            if (bad.length < 5 && !throws(() => q(x))) bad.push(`${u32[0].toString(16)}: NaN not refused`);
            continue;
          }
          const want = encodeFloat(f, x, opts);
          if (q(x) !== want && bad.length < 5) bad.push(`${u32[0].toString(16)}: ${q(x)} vs ${want}`);
        }
      }
      expect(bad).toEqual([]);
      // the whole-array form: every pattern of the same low halves, against the generic encoder
      if (f.nanCode === undefined) {
        expect(q.many).toBeUndefined();
        return;
      }
      const lows = [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff];
      const src = new Float32Array(65536 * lows.length), bits = new Uint32Array(src.buffer);
      for (let hi = 0; hi < 65536; hi++) lows.forEach((lo, i) => (bits[hi * lows.length + i] = hi * 65536 + lo));
      // in WebAssembly where its rows agree with the tables (the fp8 kinds' formats), and in the tables
      const rows = narrowRows()!, before = rows.calls;
      for (const wasm of [true, false]) {
        setWasmKernels(wasm);
        const dst = new Uint32Array(src.length);
        q.many!(src, dst);
        setWasmKernels(true);
        for (let i = 0; i < src.length && bad.length < 5; i++) {
          const want = encodeFloat(f, src[i], opts);
          if (dst[i] !== want) bad.push(`many (${wasm ? 'WebAssembly' : 'tables'}) ${bits[i].toString(16)}: ${dst[i]} vs ${want}`);
        }
      }
      expect(bad).toEqual([]);
      if ((f === E4M3 || f === E5M2) && 'saturate' in opts) expect(rows.calls).toBeGreaterThan(before);
    });
  }

  for (const [f, opts] of [[E4M3, { saturate: true }], [E5M2, { saturate: true }], [E5M2, {}]] as const) {
    it(`${f.name} ${JSON.stringify(opts)}: the rows' values form gives each value the generic codec gives (decode of encode), every top half`, () => {
      const q = fp32Quantizer(f, opts)!;
      const desc = q.rows!();
      expect(desc).toBeDefined();
      const form = valuesForm(desc!, floatDecodeTable(f))!;
      expect(form).not.toBeNull();
      expect(form.values).toBe(true);
      const lows = [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff];
      const bits = new Uint32Array(65536 * lows.length);
      for (let hi = 0; hi < 65536; hi++) lows.forEach((lo, i) => (bits[hi * lows.length + i] = hi * 65536 + lo));
      const src = new Float32Array(bits.buffer), got = new Uint32Array(src.length);
      expect(narrowRows()!.run(src, got, form)).toBe(true);
      const bad: string[] = [];
      for (let i = 0; i < src.length && bad.length < 5; i++) {
        const want = decodeFloat(f, encodeFloat(f, src[i], opts));
        u32[0] = got[i];
        if (!Object.is(f32[0], want) && !(want !== want && f32[0] !== f32[0])) bad.push(`${bits[i].toString(16)}: ${f32[0]} vs ${want}`);
      }
      expect(bad).toEqual([]);
    });
  }

  it('no rows where they do not give the tables\' codes (e4m3 overflowing to NaN, e4m3fnuz)', () => {
    expect(fp32Quantizer(E4M3, {})!.rows!()).toBeUndefined();
    expect(fp32Quantizer(E4M3FNUZ, {})!.rows!()).toBeUndefined();
  });

  it("the values form is refused for a decoder whose values the rows do not give (a subnormal code read as 0)", () => {
    const desc = fp32Quantizer(E4M3, { saturate: true })!.rows!()!;
    const flushed = Float64Array.from(floatDecodeTable(E4M3), (v, c) => ((c & 0x78) === 0 ? 0 * v : v));
    expect(valuesForm(desc, flushed)).toBeNull();
  });

  it('saturatingEncoder: tables for fp32 values, the generic encoder for the rest', () => {
    const enc = saturatingEncoder(E2M1);
    for (const x of [0.25, 0.75, 5, 7, 1e10, -1e-300, 2 ** -200 * 3, 1e300]) {
      expect(enc(x)).toBe(encodeFloat(E2M1, x, { saturate: true }));
    }
  });

  it('fp16 (8-22 mantissa bits, by integer shifting): equals the generic encoder around every rounding position', () => {
    const q = fp32Quantizer(FP16)!;
    expect(q).toBeDefined();
    const bad: string[] = [];
    const seen: number[] = [];
    const check = (bits: number) => {
      u32[0] = bits >>> 0;
      const x = f32[0], want = encodeFloat(FP16, x);
      if (q(x) !== want && bad.length < 5) bad.push(`${u32[0].toString(16)}: ${q(x)} vs ${want}`);
      if (seen.length < 2e6) seen.push(u32[0]);
    };
    // every top half with low halves at fp16's guard bit (bit 12) and sticky bits around it
    for (let hi = 0; hi < 65536; hi++) for (const lo of [0, 1, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x3000, 0xffff]) check(hi * 65536 + lo);
    // below fp16's normal range the rounding position moves bit by bit: every exponent there,
    // each with 20,000 random significands and the tie patterns of every shift
    const next = rng(16);
    const r = () => next() & 0x7fffff;
    for (let e = 0; e <= 113; e++) {
      for (const sign of [0, 0x80000000]) {
        for (let i = 0; i < (e >= 95 ? 20000 : 200); i++) check(sign + e * 2 ** 23 + r());
        for (let d = 0; d < 24; d++) for (const t of [2 ** d, 2 ** d - 1, 2 ** d + 1, 3 * 2 ** d]) check(sign + e * 2 ** 23 + (t & 0x7fffff));
      }
    }
    expect(bad).toEqual([]);
    // the whole-array form on the first two million of those patterns
    const src = new Float32Array(Uint32Array.from(seen).buffer), dst = new Uint32Array(src.length);
    q.many!(src, dst);
    for (let i = 0; i < src.length && bad.length < 5; i++) if (dst[i] !== encodeFloat(FP16, src[i])) bad.push(`many ${seen[i].toString(16)}`);
    expect(bad).toEqual([]);
  });

  it('refuses formats it cannot round exactly (fp16 saturating, fp32 saturating)', () => {
    expect(fp32Quantizer(FP16, { saturate: true })).toBeUndefined();
    expect(fp32Quantizer(FP32, { saturate: true })).toBeUndefined();
  });
});

function throws(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}
