/**
 * The block PE kinds (mxfp8-e4m3 ... nvfp4) and the limited accumulators as PE options,
 * against exact rational arithmetic (exact-rational.ts): a block's products summed exactly,
 * both scales applied, rounded once into the accumulator when the block ends or the run of
 * products ends (a run that starts inside a block, as a K fold boundary cuts it, sums its part
 * on its own); the per-product hooks the reference engine uses give the same bits; operands
 * quantized along K; scales counted in the bytes that memory moves; the cost model's parts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getBlockFormat, operandElement, operandScale, operandStarts, type BlockOperandFormat } from '../../sim/pe/block-formats.ts';
import { quantizeBlocks } from '../../sim/pe/block-tensor.ts';
import { bytesPerValue } from '../../sim/pe/formats.ts';
import { getPe, peNames } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { peCost } from '../../sim/cost/pe-cost.ts';
import { makeTechnology } from '../../sim/cost/technology.ts';
import { simulate } from '../../sim/simulate.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import { gemmLayer } from '../../sim/workload/layer.ts';
import { makeBlockDotUnit, blockDot } from '../../sim/pe/block-dot.ts';
import { FP32_ACCUMULATION } from '../../sim/pe/limited-acc.ts';
import { peBackend } from '../../models/exec/backends.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import {
  SPEC, addExact, decodeExact, mulExact, num, toDouble, type Exact,
} from './exact-rational.ts';
import { lcg, operands, roundInto, runRef } from './block-reference.ts';

const BLOCK_PES = ['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];

describe('block PE kinds', () => {
  it('are registered, with block operands', () => {
    for (const n of BLOCK_PES) {
      expect(peNames()).toContain(n);
      const pe = getPe(n);
      expect(pe.multiplier).toBe('block');
      expect(pe.input.kind).toBe('block');
      expect(pe.block?.adderBits).toBeLessThanOrEqual(53);
    }
  });

  it.each(BLOCK_PES)('%s: dot over runs (whole blocks, runs cut inside blocks) equals the exact reference', (name) => {
    const pe = getPe(name);
    const k = (pe.input as BlockOperandFormat).block.blockSize;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * k }), fc.integer({ min: 1, max: 3 * k }), fc.integer(), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (offset, n, seed, acc) => {
        const r = lcg(seed);
        // B's scales differ from A's; its block-start flags sit at the same K positions
        const a = operands(pe, n, offset, r), b = operands(pe, n, offset, r);
        const acc0 = Math.fround(acc);
        expect(pe.dot(a, 0, 1, b, 0, 1, n, acc0)).toBe(runRef(pe, a, b, acc0));
        // the per-product hooks (the reference engine's) give the same bits
        const out = new Float64Array(1);
        let s = acc0, pend = 0;
        for (let i = 0; i < n; i++) {
          s = (pe.block as NonNullable<PeKind['block']>).step(s, pend, a[i], b[i], out);
          pend = out[0];
        }
        expect((pe.block as NonNullable<PeKind['block']>).flush(s, pend)).toBe(runRef(pe, a, b, acc0));
      }),
      { seed: 77, numRuns: 60 },
    );
  });

  it('a block value wider than fp32 enters the accumulator with one rounding (no double rounding)', () => {
    // products 256 * 256 = 2^16 and 2^-9 * 2^-9 = 2^-18, scales 2^-20 each: the block is
    // 2^-24 + 2^-58; 1 + that lies just above the fp32 tie 1 + 2^-24, so it rounds up
    const pe = getPe('mxfp8-e4m3');
    const start = 2 ** 16, scale = 107 * 2 ** 8;
    const a = [0x78 + scale + start, 0x01 + scale];
    expect(pe.dot(a, 0, 1, a, 0, 1, 2, 1)).toBe(1 + 2 ** -23);
    expect(runRef(pe, a, a, 1)).toBe(1 + 2 ** -23);
  });

  it('a 14-bit truncating register promoted every 64 products, on MXFP8 E4M3 blocks', () => {
    const pe = getPe('mxfp8-e4m3', { accBits: 14, accPromote: 64 });
    expect(pe.accumulation).toEqual({ bits: 14, round: 'trunc', promote: 64 });
    const r = lcg(5);
    for (let t = 0; t < 30; t++) {
      const n = 1 + Math.floor(r() * 200);
      const a = operands(pe, n, 0, r), b = operands(pe, n, 0, r);
      expect(pe.dot(a, 0, 1, b, 0, 1, n, 0)).toBe(runRef(pe, a, b, 0, 14, 'trunc', 64));
    }
  });

  it('operands quantized along K: A by rows, B by columns, blocks from K index 0', () => {
    const pe = getPe('mxfp4', { block: 4 });
    const f = pe.input as BlockOperandFormat;
    const m = 3, k = 10, n = 2;
    const r = lcg(9);
    const a = Array.from({ length: m * k }, () => r() * 8 - 4), b = Array.from({ length: k * n }, () => r() * 8 - 4);
    const qa = (pe.block as NonNullable<PeKind['block']>).quantize('input', a, m, k, k, 1).codes;
    const qb = (pe.block as NonNullable<PeKind['block']>).quantize('weight', b, n, k, 1, n).codes;
    for (let i = 0; i < m; i++) {
      const t = quantizeBlocks(getBlockFormat('mxfp4', 4), a.slice(i * k, i * k + k));
      for (let q = 0; q < k; q++) {
        const code = qa[i * k + q];
        expect([operandElement(f, code), operandScale(f, code), operandStarts(f, code)]).toEqual([t.codes[q], t.scales[Math.floor(q / 4)], q % 4 === 0]);
      }
    }
    for (let j = 0; j < n; j++) {
      const col = Array.from({ length: k }, (_, q) => b[q * n + j]);
      const t = quantizeBlocks(getBlockFormat('mxfp4', 4), col);
      for (let q = 0; q < k; q++) expect(operandElement(f, qb[q * n + j])).toBe(t.codes[q]);
    }
  });

  it('refuses options that do not apply', () => {
    expect(() => getPe('fp8-e4m3', { block: 16 })).toThrow(/--block applies to block PEs/);
    expect(() => getPe('int8', { accBits: 14 })).toThrow(/accumulates in int32/);
    expect(() => getPe('fp8-e4m3', { accBits: 14, acc: 'bf16' })).toThrow(/do not combine/);
    expect(() => getPe('mxfp4', { reuse: 'ent' })).toThrow(/block PE/);
    expect(() => getPe('mxfp4', { block: 0 })).toThrow(/block size/);
  });
});

describe('limited accumulators on scalar PEs', () => {
  it('fp8-e4m3 with exact products: a 12-bit rounding register, promoted every 16', () => {
    const pe = getPe('fp8-e4m3', { product: 'fp32', accBits: 12, accRound: 'rne', accPromote: 16 });
    const r = lcg(3);
    for (let t = 0; t < 40; t++) {
      const n = 1 + Math.floor(r() * 100);
      // finite E4M3 codes (0x7f / 0xff are NaN), either sign
      const code = () => Math.floor(r() * 0x7f) + (r() < 0.5 ? 0x80 : 0);
      const a = Array.from({ length: n }, code), bs = Array.from({ length: n }, code);
      let full: Exact = num(false, 0n, 0), regv: Exact = num(false, 0n, 0);
      a.forEach((x, i) => {
        regv = roundInto(12, 'rne', addExact(regv, mulExact(decodeExact(SPEC.e4m3, x), decodeExact(SPEC.e4m3, bs[i]))));
        if ((i + 1) % 16 === 0) {
          full = roundInto(24, 'rne', addExact(full, regv));
          regv = num(false, 0n, 0);
        }
      });
      expect(pe.dot(a, 0, 1, bs, 0, 1, n, 0)).toBe(toDouble(roundInto(24, 'rne', addExact(full, regv))));
    }
  });

  it('the reference engine refuses promotion; the fast engine runs it', () => {
    const arch = { ...getPreset('edge'), array: { rows: 4, cols: 4 } };
    const layers = [gemmLayer('g', 5, 4, 40)];
    const pe = getPe('fp8-e4m3', { accBits: 14, accPromote: 32 });
    expect(() => simulate({ arch, pe, layers, functional: true, engine: 'reference' })).toThrow(/--acc-promote needs the fast engine/);
    expect(simulate({ arch, pe, layers, functional: true }).layers[0].output?.count).toBe(20);
  });
});

describe('scales in memory and in the cost model', () => {
  it('bytes per element include the share of the block scale: 8 bits per 32 MX elements, per 16 NVFP4', () => {
    expect(bytesPerValue(getPe('mxfp4').input)).toBe((4 + 8 / 32) / 8);
    expect(bytesPerValue(getPe('mxfp8-e4m3').input)).toBe((8 + 8 / 32) / 8);
    expect(bytesPerValue(getPe('mxfp6-e2m3').input)).toBe((6 + 8 / 32) / 8);
    expect(bytesPerValue(getPe('nvfp4').input)).toBe((4 + 8 / 16) / 8);
    expect(bytesPerValue(getPe('mxfp4', { block: 64 }).input)).toBe((4 + 8 / 64) / 8);
    // a 64 x 64 x 64 GEMM that fits on chip reads A and B once: 4096 elements + 128 scales each
    const r = simulate({ arch: getPreset('scale'), pe: getPe('mxfp4'), layers: [gemmLayer('g', 64, 64, 64)] });
    expect(r.layers[0].dram.ifmap_read_bytes).toBe(4096 / 2 + 128);
    expect(r.layers[0].dram.filter_read_bytes).toBe(4096 / 2 + 128);
  });

  it('MXFP4 per product: the documented parts, from the technology primitives', () => {
    const tech = makeTechnology();
    const c = peCost(getPe('mxfp4'), tech);
    const e = (x: { energy_pj: number }) => x.energy_pj;
    // E2M1 elements: 2x2 significand multiplier, 3-bit exponent adder; a 14-bit tree
    // (4 shifter stages); E8M0 exponents added once per 32; fp32 accumulate once per 32
    const expected = e(tech.intMult(2, 2)) + e(tech.intAdd(3)) + e(tech.bitOp(14 * 4)) + (e(tech.intAdd(14)) * 31) / 32
      + (e(tech.intAdd(8)) + e(tech.bitOp(14 * 4))) / 32 + e(tech.fpAdd(8, 23)) / 32;
    expect(c.mac_pj).toBeCloseTo(expected, 12);
    // cheaper per MAC than an fp8 multiplier with a full fp32 add per product
    expect(c.mac_pj).toBeLessThan(peCost(getPe('fp8-e4m3'), tech).mac_pj);
    // a limited register: its own adder per product, fp32's share per promotion
    const l = peCost(getPe('fp8-e4m3', { accBits: 14, accPromote: 128 }), tech);
    expect(l.accumulate.energy_pj).toBeCloseTo(e(tech.fpAdd(8, 13)) + e(tech.fpAdd(8, 23)) / 128, 12);
  });

  it('NVFP4 per product: E4M3 scales multiplied once per block of 16', () => {
    const tech = makeTechnology();
    const c = peCost(getPe('nvfp4'), tech);
    const e = (x: { energy_pj: number }) => x.energy_pj;
    // E2M1 elements as MXFP4; a 13-bit tree (4 shifter stages); per 16: the two E4M3 scales'
    // 4x4 significand multiplier and 5-bit exponent adder, the normaliser, the fp32 add
    const expected = e(tech.intMult(2, 2)) + e(tech.intAdd(3)) + e(tech.bitOp(13 * 4)) + (e(tech.intAdd(13)) * 15) / 16
      + (e(tech.intMult(4, 4)) + e(tech.intAdd(5)) + e(tech.bitOp(13 * 4))) / 16 + e(tech.fpAdd(8, 23)) / 16;
    expect(c.mac_pj).toBeCloseTo(expected, 12);
    expect(c.mac_pj).toBeGreaterThan(peCost(getPe('mxfp4'), tech).mac_pj);
  });
});

describe('block PEs in the model executors', () => {
  /** A (m x k) by rows and B (k x n) by columns through quantizeBlocks, each output through blockDot */
  function direct(name: string, a: Float32Array, b: Float32Array, m: number, n: number, k: number): number[] {
    const f = (getPe(name).input as BlockOperandFormat).block;
    const unit = makeBlockDotUnit(f, f);
    const out: number[] = [];
    for (let i = 0; i < m; i++) {
      const x = quantizeBlocks(f, a.subarray(i * k, (i + 1) * k));
      for (let j = 0; j < n; j++) {
        const col = Float32Array.from({ length: k }, (_, p) => b[p * n + j]);
        out.push(blockDot(unit, x, quantizeBlocks(f, col), FP32_ACCUMULATION));
      }
    }
    return out;
  }

  it('quantize A by rows and B by columns along K, blocks from K index 0; NVFP4 tensor scales applied once', () => {
    const r = lcg(5);
    const cases: [string, number, number, number][] = [['mxfp4', 3, 4, 70], ['mxint8', 2, 3, 64], ['mxfp8-e4m3', 2, 2, 33], ['nvfp4', 1, 1, 50]];
    for (const [name, m, n, k] of cases) {
      const a = Float32Array.from({ length: m * k }, () => (r() - 0.5) * 8), b = Float32Array.from({ length: k * n }, () => (r() - 0.5) * 3);
      const want = direct(name, a, b, m, n, k);
      const pe = getPe(name);
      // os: one pass over K, the direct dot products; both executors
      expect(Array.from(peBackend(pe).gemm(a, b, m, n, k, 1, 1)), name).toEqual(want);
      expect(Array.from(arrayBackend(pe, { dataflow: 'os', rows: 8 }).gemm(a, b, m, n, k, 1, 1)), name).toEqual(want);
    }
  });
});
