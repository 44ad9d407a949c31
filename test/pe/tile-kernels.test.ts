/**
 * The tile kernels (sim/pe/tile-kernels.ts) against the PE's own dot product, bit for bit:
 * every PE kind that has a kernel (and option variants that pick other kernels or none), on
 * random tiles whose operands mix realistic values (many zeros, small magnitudes: the exact
 * and zero-skipping shortcuts) with every kind of special pattern, from starting states that
 * include -0, NaN and large values, in one pass and split into passes, on small tiles and on
 * tiles of the CNN's widths (every tail of the kernels' 8-output blocks). The L-Mul sum table is
 * also checked on every operand pair of e8m3 (16.7 M products).
 */
import { describe, expect, it } from 'vitest';
import { isValidBits } from '../../sim/pe/codec.ts';
import { getPe, peNames, type PeOptions } from '../../sim/pe/registry.ts';
import { tileKernelOf } from '../../sim/pe/tile-kernels.ts';
import type { PeKind } from '../../sim/pe/types.ts';
import { randInt, rng } from './test-util.ts';

/** Operand patterns: realistic values (half zeros) or any valid pattern, by `wild`. */
function operands(pe: PeKind, role: 'input' | 'weight', count: number, r: () => number, wild: number): Uint32Array {
  const f = role === 'input' ? pe.input : pe.weight;
  const q = role === 'input' ? pe.quantizeInput : pe.quantizeWeight;
  const scale = f.kind === 'int' ? f.max / 3 : 1;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const u = r() / 2 ** 32;
    if (u < wild) {
      let c: number;
      do c = randInt(r, 2 ** f.bits);
      while (!isValidBits(f, c));
      out[i] = c;
    } else if (u < 0.5 + wild / 2) {
      out[i] = q(0);
    } else {
      const g = (r() / 2 ** 32 - 0.5) * 2 * scale * (r() & 1 ? 1 : 0.01);
      out[i] = q(g);
    }
  }
  return out;
}

/** Starting states: zeros, or a mix with -0, NaN, large and tiny values. */
function states(pe: PeKind, count: number, r: () => number, wild: boolean): Float64Array {
  const out = new Float64Array(count).fill(pe.accZero);
  if (!wild) return out;
  const int = pe.acc.kind === 'int';
  for (let i = 0; i < count; i++) {
    const u = randInt(r, 6);
    if (int) out[i] = [0, 1, -7, 2 ** 31 - 3, -(2 ** 31), 123456][u];
    else out[i] = [0, -0, NaN, 3.5, Math.fround(-1e30), 2 ** -140][u]; // fp32 values, as states are
  }
  return out;
}

function same(x: number, y: number): boolean {
  return Object.is(x, y) || (x !== x && y !== y);
}

/** Kernel pass vs pe.dot per output, on B in the transposed layout arrayBackend uses. */
function compare(pe: PeKind, seed: number, wild: number, wildStates: boolean, split: number, wide = false): string[] {
  const tile = tileKernelOf(pe)!;
  const r = rng(seed);
  // wide: the CNN's shapes (n 16-64, k up to a few hundred), every tail of the 8-output blocks
  const m = 1 + randInt(r, wide ? 4 : 9), n = 1 + randInt(r, wide ? 70 : 17), k = 1 + randInt(r, wide ? 300 : 40);
  const a = operands(pe, 'input', m * k, r, wild);
  const bt = operands(pe, 'weight', k * n, r, wild); // (p, j) at j * k + p
  const acc = states(pe, m * n, r, wildStates);
  const want = Float64Array.from(acc);
  const w = tile.prepare(bt, 1, k, k, n);
  for (let k0 = 0; k0 < k; k0 += split) {
    const ku = Math.min(split, k - k0);
    tile.pass(a, w, m, k0, ku, acc);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) want[i * n + j] = pe.dot(a, i * k + k0, 1, bt, j * k + k0, 1, ku, want[i * n + j]);
    }
  }
  const bad: string[] = [];
  for (let idx = 0; idx < m * n && bad.length < 3; idx++) {
    if (!same(acc[idx], want[idx])) bad.push(`${pe.name} seed ${seed} out ${idx}: kernel ${acc[idx]} dot ${want[idx]}`);
  }
  return bad;
}

const VARIANTS: [string, PeOptions][] = [
  ...peNames().map((n): [string, PeOptions] => [n, {}]),
  ['fp8-e4m3', { product: 'fp32' }],
  ['fp8-e5m2', { product: 'bf16' }],
  ['int8', { reuse: 'ent' }],
  ['lmul-m3', { lmulRound: 'rne' }],
];

describe('tile kernels equal the PE dot product bit for bit', () => {
  for (const [name, opts] of VARIANTS) {
    const pe = getPe(name, opts);
    if (!tileKernelOf(pe)) continue;
    it(`${name} ${JSON.stringify(opts)}`, () => {
      const bad: string[] = [];
      for (let seed = 1; seed <= 60; seed++) {
        const wild = [0, 0.02, 0.3][seed % 3];
        bad.push(...compare(pe, seed, wild, seed % 4 === 0, seed % 5 === 0 ? 1 + (seed % 7) : 1000));
      }
      for (let seed = 61; seed <= 72; seed++) bad.push(...compare(pe, seed, [0, 0.02, 0.3][seed % 3], seed % 4 === 0, seed % 5 === 0 ? 32 : 1000, true));
      expect(bad).toEqual([]);
    });
  }

  it('the kinds the functional path runs most have kernels; saturating or narrow accumulators do not', () => {
    for (const n of ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-fp8-e4m3', 'lmul-m3', 'lmul-m4', 'int8', 'int4', 'ternary', 'xnor']) {
      expect(tileKernelOf(getPe(n)), n).toBeDefined();
    }
    expect(tileKernelOf(getPe('fp8-e4m3', { accSaturate: true }))).toBeUndefined();
    expect(tileKernelOf(getPe('int8', { acc: 'int16' }))).toBeUndefined();
    expect(tileKernelOf(getPe('bf16', { acc: 'bf16' }))).toBeUndefined();
  });

  it('a PE whose dot product was replaced (a wrapper) does not use the kernel', () => {
    const pe = getPe('fp8-e4m3');
    expect(tileKernelOf({ ...pe })).toBeDefined();
    expect(tileKernelOf({ ...pe, dot: (...args) => pe.dot(...args) })).toBeUndefined();
  });

  it('lmul-m3: the sum table gives every one of the 4096 x 4096 products', () => {
    const pe = getPe('lmul-m3');
    const tile = tileKernelOf(pe)!;
    const all = Uint32Array.from({ length: 4096 }, (_, i) => i);
    const w = tile.prepare(all, 0, 1, 1, 4096); // k = 1: B is one row of every pattern
    const rows = 256;
    const bad: string[] = [];
    for (let a0 = 0; a0 < 4096; a0 += rows) {
      const acc = new Float64Array(rows * 4096);
      tile.pass(all.subarray(a0, a0 + rows), w, rows, 0, 1, acc);
      for (let i = 0; i < rows; i++) {
        for (let b = 0; b < 4096; b++) {
          const want = pe.dot(all, a0 + i, 1, all, b, 1, 1, 0);
          if (!same(acc[i * 4096 + b], want) && bad.length < 3) bad.push(`${a0 + i} x ${b}: ${acc[i * 4096 + b]} vs ${want}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('the fast dot products follow the accumulator the options build', () => {
  // --acc-bits 24 keeps fp32's format but truncates (limited-acc.ts): the plain-fp32 kernels,
  // which round to nearest, must not be chosen for it
  for (const [name, opts] of [['bf16', { accBits: 24 }], ['fp8-e4m3', { accBits: 24 }], ['lmul-bf16', { accBits: 24 }]] as [string, PeOptions][]) {
    it(`${name} ${JSON.stringify(opts)}: dot equals product-by-product mac`, () => {
      const pe = getPe(name, opts);
      const r = rng(5);
      const a = operands(pe, 'input', 4096, r, 0), b = operands(pe, 'weight', 4096, r, 0);
      for (let off = 0; off < 4096; off += 64) {
        let s = pe.accZero;
        for (let i = off; i < off + 64; i++) s = pe.mac(s, a[i], b[i]);
        expect(pe.dot(a, off, 1, b, off, 1, 64, pe.accZero)).toBe(s);
      }
    });
  }
});
