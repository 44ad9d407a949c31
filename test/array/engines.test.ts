/**
 * Two engines, one answer: the per-cycle reference engine and the fold-by-fold fast engine
 * agree on every fold's cycles, every SRAM access count, the MAC count and every output bit,
 * on random GEMMs and convolutions (padding, stride, dilation), for all three dataflows and
 * several PE kinds and partial-sum formats.
 */
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer, gemmView, ifmapElements, type Layer } from '../../models/layers.ts';
import { fastEngine } from '../../sim/array/fast-engine.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { referenceEngine } from '../../sim/array/reference-engine.ts';
import type { Operands } from '../../sim/array/types.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { im2col } from '../../sim/schedulers/im2col.ts';
import { mapGemm } from '../../sim/schedulers/mapping.ts';
import type { Dataflow } from '../../sim/arch/schema.ts';

/** mulberry32, written here so the test does not depend on the code under test */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLayer(r: () => number, i: number): Layer {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  if (r() < 0.4) return gemmLayer(`g${i}`, int(1, 12), int(1, 12), int(1, 12));
  const kH = int(1, 3), kW = int(1, 3);
  const dil = int(1, 2);
  const pad = r() < 0.5 ? 'same' : { top: int(0, 2), bottom: int(0, 1), left: int(0, 2), right: int(0, 1) };
  const spanH = dil * (kH - 1) + 1, spanW = dil * (kW - 1) + 1;
  return convLayer({
    name: `c${i}`, inH: int(spanH, 7), inW: int(spanW, 7), kH, kW, channels: int(1, 3), filters: int(1, 6),
    strideH: int(1, 2), strideW: int(1, 3), dilationH: dil, dilationW: dil, padding: pad,
  });
}

const PES = [
  { pe: 'fp32' },
  { pe: 'bf16', psum: 'bf16' },
  { pe: 'int8', psum: 'int16' },
  { pe: 'fp8-e4m3' },
  { pe: 'lmul-bf16', psum: 'e5m2' },
  { pe: 'int4' },
] as const;

function operands(layer: Layer, peName: string, psum: string | undefined, r: () => number): Operands {
  const pe = getPe(peName);
  const g = gemmView(layer);
  const ifmap = Array.from({ length: ifmapElements(layer) }, () => pe.quantizeInput(r() * 4 - 2));
  const b = Float64Array.from({ length: g.k * g.n }, () => pe.quantizeWeight(r() * 4 - 2));
  const { a } = im2col(layer, g.m, g.k, ifmap, pe.quantizeInput(0));
  return { pe, psum: psumStore(pe, psum !== undefined ? getFormat(psum) : undefined), a, b };
}

describe('reference engine == fast engine', () => {
  const r = rng(20240611);
  const cases = Array.from({ length: 200 }, (_, i) => {
    const layer = randomLayer(r, i);
    const rows = 1 + Math.floor(r() * 5), cols = 1 + Math.floor(r() * 5);
    return { layer, rows, cols, seed: Math.floor(r() * 2 ** 31) };
  });
  for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
    it(`200 random shapes x 2 of ${PES.length} PE kinds each, ${df}`, () => {
      let compared = 0;
      cases.forEach((c, i) => {
        // each shape runs on two PE kinds, rotating through the list
        for (const p of [PES[i % PES.length], PES[(i + 3) % PES.length]]) {
          const mp = mapGemm(gemmView(c.layer), c.rows, c.cols, df);
          const ops = operands(c.layer, p.pe, 'psum' in p ? p.psum : undefined, rng(c.seed));
          const ref = referenceEngine({ layer: c.layer, mapping: mp, operands: ops });
          const fast = fastEngine({ layer: c.layer, mapping: mp, operands: ops });
          const what = `${c.layer.name} ${JSON.stringify(gemmView(c.layer))} on ${c.rows}x${c.cols} ${df} ${p.pe}`;
          expect(Array.from(ref.foldCycles), what).toEqual(Array.from(fast.foldCycles));
          expect(ref.computeCycles, what).toBe(fast.computeCycles);
          expect(ref.macs, what).toBe(fast.macs);
          expect(ref.sram, what).toEqual(fast.sram);
          expect(ref.out, what).toBeDefined();
          expect(Array.from(ref.out ?? []), what).toEqual(Array.from(fast.out ?? []));
          compared++;
        }
      });
      expect(compared).toBe(400);
    });
  }

  it('timing-only runs agree too (no operands)', () => {
    for (const c of cases.slice(0, 40)) {
      for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
        const mp = mapGemm(gemmView(c.layer), c.rows, c.cols, df);
        const ref = referenceEngine({ layer: c.layer, mapping: mp });
        const fast = fastEngine({ layer: c.layer, mapping: mp });
        expect(ref.computeCycles).toBe(fast.computeCycles);
        expect(ref.sram).toEqual(fast.sram);
        expect(ref.out).toBeUndefined();
      }
    }
  });
});
