/**
 * The block PEs' tile kernel (sim/pe/block-tile.ts) against their `dot`, bit for bit, with its
 * block sums from the WebAssembly GEMM and from the TypeScript loops: operands
 * from random reals through the real quantizers (A by rows, B by columns along K), every block
 * kind, shapes whose K is not a multiple of the block size, whole passes and passes cut inside
 * blocks, fp32 accumulation and a narrow register with promotion, NaN/Inf elements and NaN
 * scales; the array backend on every dataflow against the path without the kernel (the PE's
 * `dot` output by output, as before the kernel); and the kernel against exact rational
 * arithmetic (block-reference.ts runRef), which the code did not compute.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import type { BlockOperandFormat } from '../../sim/pe/block-formats.ts';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import { tileKernelOf } from '../../sim/pe/tile-kernels.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';
import type { PeKind, TileKernel } from '../../sim/pe/types.ts';
import { lcg, runRef } from './block-reference.ts';

const BLOCK_PES = ['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];
/** fp32 accumulation; a 14-bit truncating register promoted every 64 products; blocks of 8 */
const VARIANTS: readonly PeOptions[] = [{}, { accBits: 14, accPromote: 64 }, { block: 8 }];

function blockParts(pe: PeKind): NonNullable<PeKind['block']> {
  return pe.block as NonNullable<PeKind['block']>;
}

/** reals over a wide range of magnitudes (so blocks get different scales), a fifth of them zero */
function reals(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (r() < 0.2 ? 0 : (r() - 0.5) * 2 ** Math.floor(r() * 24 - 12)));
}

interface Gemm {
  readonly qa: Float64Array;
  /** B row-major, k x n */
  readonly qb: Float64Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

function quantizedGemm(pe: PeKind, m: number, n: number, k: number, r: () => number): Gemm {
  const parts = blockParts(pe);
  const qa = parts.quantize('input', reals(m * k, r), m, k, k, 1).codes;
  const qb = parts.quantize('weight', reals(k * n, r), n, k, 1, n).codes;
  return { qa, qb, m, n, k };
}

/** states after folds [0, c1), [c1, c2), ..., [c_last, k): by the kernel and by `dot` output by output */
function folds(pe: PeKind, tile: TileKernel, g: Gemm, cuts: number[], acc0: Float64Array): { tile: Float64Array; dot: Float64Array } {
  const { qa, qb, m, n, k } = g;
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < k).sort((x, y) => x - y), k];
  const w = tile.prepare(qb, n, 1, k, n);
  const t = Float64Array.from(acc0), d = Float64Array.from(acc0);
  for (let f = 0; f + 1 < bounds.length; f++) {
    const k0 = bounds[f], ku = bounds[f + 1] - k0;
    tile.pass(qa, w, m, k0, ku, t);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) d[i * n + j] = pe.dot(qa, i * k + k0, 1, qb, k0 * n + j, n, ku, d[i * n + j]);
  }
  return { tile: t, dot: d };
}

function sameBits(x: Float64Array, y: Float64Array): void {
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, x[i]]).toEqual([i, y[i]]);
}

describe('block tile kernel', () => {
  it('every block kind has one (it checks its decoded products against the unit table, every code pair)', () => {
    for (const name of BLOCK_PES) for (const opts of VARIANTS) expect(tileKernelOf(getPe(name, opts)), name).toBeDefined();
  });

  it.each(BLOCK_PES)('%s: random GEMMs, whole and cut passes, each variant: the bits of dot', (name) => {
    VARIANTS.forEach((opts, v) => {
      const pe = getPe(name, opts);
      const tile = tileKernelOf(pe) as TileKernel;
      const kb = (pe.input as BlockOperandFormat).block.blockSize;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 * kb + 7 }),
          fc.array(fc.integer({ min: 1, max: 3 * kb + 6 }), { maxLength: 3 }), fc.integer(),
          (m, n, k, cuts, seed) => {
            const r = lcg(seed);
            const g = quantizedGemm(pe, m, n, k, r);
            // fp32 starting states (a promoted register's `full`, or plain fp32) and zero
            const acc0 = Float64Array.from({ length: m * n }, () => (opts.accBits === undefined || opts.accPromote ? Math.fround((r() - 0.5) * 4) : 0));
            // the runs' sums by the WebAssembly GEMM, then by the TypeScript loops
            for (const wasm of [true, false]) {
              setWasmKernels(wasm);
              const whole = folds(pe, tile, g, [], acc0);
              sameBits(whole.tile, whole.dot);
              const cut = folds(pe, tile, g, cuts, acc0);
              sameBits(cut.tile, cut.dot);
            }
            setWasmKernels(true);
          },
        ),
        { seed: 1700 + v, numRuns: 25 },
      );
    });
  });

  it.each(BLOCK_PES)('%s: equals the exact rational reference (runs cut inside blocks too)', (name) => {
    const pe = getPe(name, { accBits: 14, accPromote: 64 });
    const tile = tileKernelOf(pe) as TileKernel;
    const kb = (pe.input as BlockOperandFormat).block.blockSize;
    const r = lcg(31);
    const m = 2, n = 3, k = 2 * kb + 5;
    const g = quantizedGemm(pe, m, n, k, r);
    const w = tile.prepare(g.qb, n, 1, k, n);
    for (const [k0, ku] of [[0, k], [3, kb + 1]]) {
      const acc = new Float64Array(m * n);
      tile.pass(g.qa, w, m, k0, ku, acc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const a = Array.from({ length: ku }, (_, p) => g.qa[i * k + k0 + p]);
          const b = Array.from({ length: ku }, (_, p) => g.qb[(k0 + p) * n + j]);
          expect(acc[i * n + j], `${name} (${i}, ${j}) from ${k0}`).toBe(runRef(pe, a, b, 0, 14, 'trunc', 64));
        }
      }
    }
  });

  it('NaN and Inf elements, NaN scales, runs longer than a block: those outputs are dot\'s', () => {
    const cases: [string, number[], number[]][] = [
      // element codes (E4M3 NaN 0x7f; E5M2 Inf 0x7c, NaN 0x7d) and scale codes (E8M0 NaN 0xff, E4M3 NaN 0x7f)
      ['mxfp8-e4m3', [0x7f, 0xff], [0xff]],
      ['mxfp8-e5m2', [0x7c, 0xfc, 0x7d], [0xff]],
      ['mxint8', [], [0xff]],
      ['nvfp4', [], [0x7f, 0xff]],
    ];
    for (const [name, elements, scales] of cases) {
      const pe = getPe(name);
      const f = pe.input as BlockOperandFormat;
      const tile = tileKernelOf(pe) as TileKernel;
      const r = lcg(9);
      const m = 4, n = 4, k = 2 * f.block.blockSize + 3;
      const g = quantizedGemm(pe, m, n, k, r);
      const elMask = 2 ** f.elementBits - 1;
      const setElement = (q: Float64Array, i: number, e: number) => (q[i] = q[i] - (q[i] & elMask) + e);
      const setScale = (q: Float64Array, i: number, s: number) => (q[i] = q[i] - (((q[i] >>> f.elementBits) & 0xff) << f.elementBits) + s * 2 ** f.elementBits);
      // row 1 and column 2 get special elements, row 3 and column 0 a NaN scale at a block start
      elements.forEach((e, t) => {
        setElement(g.qa, 1 * k + 3 + t, e);
        setElement(g.qb, (5 + t) * n + 2, e);
      });
      scales.forEach((s) => {
        setScale(g.qa, 3 * k + f.block.blockSize, s);
        setScale(g.qb, f.block.blockSize * n + 0, s);
      });
      // row 2's second block-start flag cleared: a run of two blocks' length
      g.qa[2 * k + f.block.blockSize] -= 2 ** (f.bits - 1);
      const res = folds(pe, tile, g, [5], new Float64Array(m * n));
      sameBits(res.tile, res.dot);
      expect(res.dot.some((x) => !Number.isFinite(x)), name).toBe(true);
    }
  });

  it('the array backend on every dataflow, accumulation structure and partial-sum format: the bits of the path without the kernel', () => {
    const orders = [
      { dataflow: 'os', rows: 8 },
      { dataflow: 'ws', rows: 12, accumulate: 'top' },
      { dataflow: 'ws', rows: 12, accumulate: 'below' },
      { dataflow: 'is', rows: 20, accumulate: 'below' },
      { dataflow: 'is', rows: 32, accumulate: 'top' },
      { dataflow: 'ws', rows: 12, accumulate: 'top', psum: getPe('fp16').input },
      { dataflow: 'ws', rows: 16, accumulate: 'below', psum: getPe('bf16').input },
    ] as const;
    const r = lcg(3);
    for (const name of BLOCK_PES) {
      for (const opts of [{}, { accBits: 14, accPromote: 48 }]) {
        const pe = getPe(name, opts);
        // the PE as it was before: no tile kernel, so orderedGemm runs `dot` output by output
        const old: PeKind = { ...pe, tile: undefined };
        const m = 3, n = 5, k = 77;
        const a = reals(m * k, r), b = reals(k * n, r);
        for (const order of orders) {
          const fast = arrayBackend(pe, order).gemm(a, b, m, n, k, 1, 1);
          const slow = arrayBackend(old, order).gemm(a, b, m, n, k, 1, 1);
          expect(tileKernelOf(old)).toBeUndefined();
          sameBits(fast, slow);
        }
      }
    }
  });
});
