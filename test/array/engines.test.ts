/**
 * Two engines, one answer, and both against a product written here.
 *
 * - The per-cycle reference engine and the fold-by-fold fast engine agree on every fold's
 *   cycles, every SRAM access count, the MAC count and every output bit, on random GEMMs and
 *   convolutions (padding, stride, dilation), for every PE kind of the catalogue (ternary,
 *   xnor and int4 included: their two operands have different formats, so an engine that
 *   swaps them fails), the EN-T variants, every dataflow, and with padding reads counted
 *   (SCALE-Sim's convention) or not.
 * - Each engine's output bits equal a direct product computed in this file: every product
 *   through `pe.mac(acc, input, weight)`, added in the dataflow's order (os: k = 0..K-1 in one
 *   PE; ws / is: K cut into passes of R rows, the partial sum stored in the partial-sum format
 *   between passes; accumulation 'top': each pass continues from the stored partial sum,
 *   'below': each pass sums from zero and `pe.addAcc` adds it to the stored one). For the
 *   integer kinds the decoded outputs must also equal the exact integer dot products (no
 *   rounding can hide there).
 */
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer, gemmView, ifmapElements, type Layer } from '../../sim/workload/layer.ts';
import { fastEngine } from '../../sim/array/fast-engine.ts';
import { psumStore, type PsumStore } from '../../sim/array/psum.ts';
import { referenceEngine } from '../../sim/array/reference-engine.ts';
import type { EngineResult, Operands } from '../../sim/array/types.ts';
import { decode } from '../../sim/pe/codec.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { getPe, peNames, type PeOptions } from '../../sim/pe/registry.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { im2col } from '../../sim/workload/im2col.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import type { Accumulate, Dataflow } from '../../sim/arch/schema.ts';

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

interface PeCase {
  readonly pe: string;
  readonly opts?: PeOptions;
  /** partial-sum storage format (default: the accumulator's) */
  readonly psum?: string;
}

const ENT_KINDS = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'int8', 'int4'];
const CASES: readonly PeCase[] = [
  ...peNames().map((pe) => ({ pe })),
  ...ENT_KINDS.map((pe) => ({ pe, opts: { reuse: 'ent' as const } })),
  { pe: 'bf16', psum: 'bf16' },
  { pe: 'int8', psum: 'int16' },
  { pe: 'lmul-bf16', psum: 'e5m2' },
  { pe: 'ternary', psum: 'int16' },
];

const INTEGER = new Set(['int', 'ternary', 'xnor']);

function label(c: PeCase): string {
  return `${c.pe}${c.opts?.reuse === 'ent' ? '+ent' : ''}${c.psum !== undefined ? ` psum ${c.psum}` : ''}`;
}

const pes = new Map<string, { pe: PeKind; psum: PsumStore }>();
function peOf(c: PeCase): { pe: PeKind; psum: PsumStore } {
  const key = label(c);
  let v = pes.get(key);
  if (!v) {
    const pe = getPe(c.pe, c.opts ?? {});
    v = { pe, psum: psumStore(pe, c.psum !== undefined ? getFormat(c.psum) : undefined) };
    pes.set(key, v);
  }
  return v;
}

function operands(layer: Layer, c: PeCase, r: () => number, accumulate: Accumulate = 'top'): Operands {
  const { pe, psum } = peOf(c);
  const g = gemmView(layer);
  const ifmap = Array.from({ length: ifmapElements(layer) }, () => pe.quantizeInput(r() * 4 - 2));
  const b = Float64Array.from({ length: g.k * g.n }, () => pe.quantizeWeight(r() * 4 - 2));
  const { a } = im2col(layer, g.m, g.k, ifmap, pe.quantizeInput(0));
  return { pe, psum, a, b, accumulate };
}

/**
 * The product the array must compute, written out: A (M x K, input bits) times B (K x N,
 * weight bits), `pe.mac(acc, a, b)` in the dataflow's order, the partial sum leaving the
 * array (and coming back) after each pass of `rows` products in ws / is.
 */
function directProduct(ops: Operands, m: number, n: number, k: number, df: Dataflow, rows: number): Float64Array {
  const { pe, psum } = ops;
  const pass = df === 'os' ? k : rows;
  const below = ops.accumulate === 'below';
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let stored = pe.accZero;
      for (let k0 = 0; k0 < k; k0 += pass) {
        let acc = below ? pe.accZero : stored;
        for (let p = k0; p < Math.min(k, k0 + pass); p++) acc = pe.mac(acc, ops.a[i * k + p], ops.b[p * n + j]);
        // below: the column's sum leaves in the accumulator format, the adder under it merges
        if (below) acc = k0 === 0 ? pe.accFromBits(pe.accToBits(acc)) : pe.addAcc(stored, pe.accFromBits(pe.accToBits(acc)));
        stored = psum.roundTrip(acc);
      }
      out[i * n + j] = psum.bits(stored);
    }
  }
  return out;
}

/** Exact integer dot products of the decoded operands (integer PEs). */
function exactIntegers(ops: Operands, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += ops.pe.inputValue(ops.a[i * k + p]) * ops.pe.weightValue(ops.b[p * n + j]);
      out[i * n + j] = s;
    }
  }
  return out;
}

function sameTiming(ref: EngineResult, fast: EngineResult, what: string): void {
  expect(Array.from(ref.foldCycles), what).toEqual(Array.from(fast.foldCycles));
  expect(ref.computeCycles, what).toBe(fast.computeCycles);
  expect(ref.macs, what).toBe(fast.macs);
  expect(ref.sram, what).toEqual(fast.sram);
}

const SHAPES_PER_CASE = 10;

describe('reference engine == fast engine == the direct product', () => {
  const r = rng(20240611);
  const shapes = Array.from({ length: 160 }, (_, i) => {
    const layer = randomLayer(r, i);
    const rows = 1 + Math.floor(r() * 5), cols = 1 + Math.floor(r() * 5);
    return { layer, rows, cols, seed: Math.floor(r() * 2 ** 31) };
  });

  const runs: [Dataflow, Accumulate][] = [['os', 'top'], ['ws', 'top'], ['ws', 'below'], ['is', 'top'], ['is', 'below']];
  for (const [df, accumulate] of runs) {
    it(`every PE kind (${CASES.length} cases, ${SHAPES_PER_CASE} shapes each), ${df}${df === 'os' ? '' : ` accumulating ${accumulate}`}, padding reads counted and not`, () => {
      let compared = 0;
      CASES.forEach((c, ci) => {
        for (let s = 0; s < SHAPES_PER_CASE; s++) {
          const sh = shapes[(ci * 7 + s * 13) % shapes.length];
          const g = gemmView(sh.layer);
          const mp = mapGemm(g, sh.rows, sh.cols, df);
          const ops = operands(sh.layer, c, rng(sh.seed), accumulate);
          const what = `${sh.layer.name} ${JSON.stringify(g)} on ${sh.rows}x${sh.cols} ${df} ${accumulate} ${label(c)}`;
          const want = directProduct(ops, g.m, g.n, g.k, df, sh.rows);
          for (const countPadReads of [false, true]) {
            const input = { layer: sh.layer, mapping: mp, operands: ops, countPadReads };
            const ref = referenceEngine(input);
            const fast = fastEngine(input);
            const w = `${what}${countPadReads ? ' (padding reads counted)' : ''}`;
            sameTiming(ref, fast, w);
            expect(Array.from(ref.out ?? []), `reference engine, ${w}`).toEqual(Array.from(want));
            expect(Array.from(fast.out ?? []), `fast engine, ${w}`).toEqual(Array.from(want));
          }
          if (INTEGER.has(ops.pe.multiplier)) {
            const exact = exactIntegers(ops, g.m, g.n, g.k);
            const got = Array.from(want, (bits) => decode(ops.psum.format, bits));
            expect(got, `exact integer sums, ${what}`).toEqual(Array.from(exact));
          }
          compared++;
        }
      });
      expect(compared).toBe(CASES.length * SHAPES_PER_CASE);
    });
  }

  it('the catalogue is covered: every PE kind, ternary, xnor and int4 among them', () => {
    const covered = new Set(CASES.map((c) => c.pe));
    for (const name of peNames()) expect(covered.has(name), name).toBe(true);
    for (const name of ['ternary', 'xnor', 'int4']) expect(covered.has(name), name).toBe(true);
  });

  it('timing-only runs agree too (no operands), padding reads counted and not', () => {
    for (const c of shapes.slice(0, 40)) {
      for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
        for (const countPadReads of [false, true]) {
          const mp = mapGemm(gemmView(c.layer), c.rows, c.cols, df);
          const ref = referenceEngine({ layer: c.layer, mapping: mp, countPadReads });
          const fast = fastEngine({ layer: c.layer, mapping: mp, countPadReads });
          sameTiming(ref, fast, `${c.layer.name} ${df}`);
          expect(ref.out).toBeUndefined();
        }
      }
    }
  });
});
