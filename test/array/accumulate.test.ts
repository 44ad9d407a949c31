/**
 * The accumulation structure of ws / is arrays, checked on a 1 x 1 x 1000 bf16 dot product on a
 * 32-row array (32 row folds) against emulations of both orders written here (bf16 rounding by
 * bit arithmetic, products exact, the fp32 accumulator as Math.fround of each sum: a correctly
 * rounded fp32 add for operands of at most 24 significant bits):
 *   top   (the stored partial sum enters the column): one running fp32 sum over k = 0..999;
 *   below (each fold's column sums from zero, an adder under the column merges): per fold a
 *         running sum over its 32 products from 0, then stored = fround(stored + fold sum).
 * Both engines, the functional path of accuracy / exec (models/exec/array-backend.ts) and
 * `bitweave exec` give exactly the emulation of the order they were asked for, and the two
 * orders differ.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { encodeNpy, readNpy } from '../../models/io/npy.ts';
import type { Accumulate } from '../../sim/arch/schema.ts';
import { fastEngine } from '../../sim/array/fast-engine.ts';
import { psumStore } from '../../sim/array/psum.ts';
import { referenceEngine } from '../../sim/array/reference-engine.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { gemmLayer, gemmView } from '../../sim/workload/layer.ts';
import { runCli } from '../cli/run-cli.ts';
import { OnnxModelBuilder } from '../models/onnx-builder.ts';

const K = 1000, ROWS = 32;
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);

/** round-to-nearest-even of an fp32 value to bf16 (the upper 16 bits), by bit arithmetic */
function bf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const rounded = (b + 0x7fff + ((b >>> 16) & 1)) >>> 0;
  u32[0] = (rounded & 0xffff0000) >>> 0;
  return f32[0];
}

/** mulberry32, seeded: operands spread over 2^-4..2^4 with both signs */
function operands(seed: number): { a: Float32Array; b: Float32Array } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = () => Math.fround((next() < 0.5 ? -1 : 1) * 2 ** (next() * 8 - 4));
  return { a: Float32Array.from({ length: K }, draw), b: Float32Array.from({ length: K }, draw) };
}

function emulate(a: Float32Array, b: Float32Array, order: Accumulate): number {
  const p = (k: number) => bf16(a[k]) * bf16(b[k]); // exact: 8 x 8 significand bits
  if (order === 'top') {
    let s = 0;
    for (let k = 0; k < K; k++) s = Math.fround(s + p(k));
    return s;
  }
  let stored = 0;
  for (let k0 = 0; k0 < K; k0 += ROWS) {
    let column = 0;
    for (let k = k0; k < Math.min(K, k0 + ROWS); k++) column = Math.fround(column + p(k));
    stored = k0 === 0 ? column : Math.fround(stored + column);
  }
  return stored;
}

const ORDERS: Accumulate[] = ['top', 'below'];

describe('accumulation top | below: a 1x1x1000 bf16 dot product on 32 rows', () => {
  const pe = getPe('bf16');
  const { a, b } = operands(7);
  const want = { top: emulate(a, b, 'top'), below: emulate(a, b, 'below') };

  it('the two orders give different fp32 results', () => {
    expect(want.top).not.toBe(want.below);
  });

  it('both engines give each order its emulation, with the same cycles and SRAM counts', () => {
    const layer = gemmLayer('dot', 1, 1, K);
    const sram: unknown[] = [];
    for (const df of ['ws', 'is'] as const) {
      const mp = mapGemm(gemmView(layer), ROWS, 1, df);
      expect(mp.rowFolds).toBe(Math.ceil(K / ROWS));
      for (const order of ORDERS) {
        // the GEMM's A is 1 x K, B is K x 1: the same vectors either way round
        const ops = {
          pe, psum: psumStore(pe), accumulate: order,
          a: Float64Array.from(a, (v) => pe.quantizeInput(v)), b: Float64Array.from(b, (v) => pe.quantizeWeight(v)),
        };
        for (const engine of [referenceEngine, fastEngine]) {
          const r = engine({ layer, mapping: mp, operands: ops });
          expect(pe.accValue(pe.accFromBits(r.out![0])), `${engine.name} ${df} ${order}`).toBe(want[order]);
          sram.push(r.sram);
        }
      }
    }
    // the order moves no access: every run counts the same
    for (const s of sram.slice(1, 4)) expect(s).toEqual(sram[0]);
  });

  it('the functional path of accuracy and exec gives each order its emulation', () => {
    for (const order of ORDERS) {
      const be = arrayBackend(pe, { dataflow: 'ws', rows: ROWS, accumulate: order });
      expect(be.gemm(a, b, 1, 1, K, 1, 1)[0], order).toBe(want[order]);
    }
    // default for ws / is: below
    expect(arrayBackend(pe, { dataflow: 'is', rows: ROWS }).gemm(a, b, 1, 1, K, 1, 1)[0]).toBe(want.below);
  });

  it('bitweave exec --accumulate gives each order its emulation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-acc-'));
    const m = new OnnxModelBuilder(1, 13);
    m.input('x', [1, K]);
    m.node('MatMul', ['x', m.weight('w', [K, 1], 1, b)], 'y');
    m.output('y');
    writeFileSync(join(dir, 'dot.onnx'), m.encode());
    writeFileSync(join(dir, 'x.npy'), encodeNpy({ dtype: 'float32', shape: [1, K], data: a }));
    writeFileSync(join(dir, 'arch.yaml'), `array: { rows: ${ROWS}, cols: 1 }\ndataflow: ws\nsram: { ifmap_kb: 64, filter_kb: 64, ofmap_kb: 64 }\n`);
    for (const order of ORDERS) {
      const out = join(dir, `y-${order}.npy`);
      const r = runCli(['exec', '--model', join(dir, 'dot.onnx'), '--input', join(dir, 'x.npy'), '--pe', 'bf16',
        '--arch', join(dir, 'arch.yaml'), '--accumulate', order, '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      expect((readNpy(out).data as Float32Array)[0], order).toBe(want[order]);
    }
  });
});
