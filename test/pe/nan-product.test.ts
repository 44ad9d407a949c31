/**
 * NaN products of the fp32-product kinds are the canonical fp32 NaN 0x7FC00000, whatever NaN
 * the CPU made: Inf x 0 (x86: 0xFFC00000) and NaN operands with payloads and either sign.
 * The RTL co-simulation found that they were not (rtl/, test/rtl/).
 */
import { describe, expect, it } from 'vitest';
import { getPe } from '../../sim/pe/registry.ts';

describe('canonical NaN products', () => {
  it('fp32, bf16 and fp16 products: mul and mulMany', () => {
    const cases: [string, number, number][] = [
      ['fp32', 0x7f800000, 0x00000000], ['fp32', 0x00000000, 0xff800000], ['fp32', 0xffc00001, 0x3f800000],
      ['fp32', 0x3f800000, 0x7f800005], ['fp32', 0xffffffff, 0x7fc00002],
      ['bf16', 0x7f80, 0x8000], ['bf16', 0xff80, 0x0000], ['bf16', 0xffc1, 0x3f80],
      ['fp16', 0x7c00, 0x0000], ['fp16', 0x8000, 0xfc00], ['fp16', 0xfe01, 0x3c00],
    ];
    for (const [name, a, b] of cases) {
      const pe = getPe(name);
      expect(pe.mul(a, b) >>> 0, `${name} ${a.toString(16)} x ${b.toString(16)}`).toBe(0x7fc00000);
      const out = new Uint32Array(1);
      pe.mulMany([a], [b], out, 1);
      expect(out[0], `${name} mulMany`).toBe(0x7fc00000);
    }
  });
});
