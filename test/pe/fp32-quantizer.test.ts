/**
 * The table quantizer for fp32 inputs against the generic encoder (itself checked against
 * exact rational arithmetic in fp8.test.ts): every top half with low halves chosen to hit
 * each sticky case.
 */
import { describe, expect, it } from 'vitest';
import { encodeFloat } from '../../sim/pe/float-codec.ts';
import { E2M1, E2M3, E3M2, E4M3, E5M2, E4M3FNUZ, BF16, FP16, FP32, floatFormat } from '../../sim/pe/formats.ts';
import { fp32Quantizer, saturatingEncoder } from '../../sim/pe/fp32-quantizer.ts';

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
      const dst = new Uint32Array(src.length);
      q.many!(src, dst);
      for (let i = 0; i < src.length && bad.length < 5; i++) {
        const want = encodeFloat(f, src[i], opts);
        if (dst[i] !== want) bad.push(`many ${bits[i].toString(16)}: ${dst[i]} vs ${want}`);
      }
      expect(bad).toEqual([]);
    });
  }

  it('saturatingEncoder: tables for fp32 values, the generic encoder for the rest', () => {
    const enc = saturatingEncoder(E2M1);
    for (const x of [0.25, 0.75, 5, 7, 1e10, -1e-300, 2 ** -200 * 3, 1e300]) {
      expect(enc(x)).toBe(encodeFloat(E2M1, x, { saturate: true }));
    }
  });

  it('refuses formats with more than 7 mantissa bits (fp32 itself aside)', () => {
    expect(fp32Quantizer(FP16)).toBeUndefined();
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
