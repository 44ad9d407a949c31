/**
 * Per-token scales (models/exec/token-scales.ts) through the matmul and linear kernels on int8,
 * against exact rational arithmetic written here from the definitions: each scale is max|x| /
 * 127 over its row (token), column (key) or the weight tensor; a code is x / scale rounded to the
 * nearest integer, ties to even, as an exact fraction; the sum of code products is a BigInt;
 * the result is that sum times the scales, exactly, then compared with the kernel's fp32 output
 * to within one fp32 ulp (the kernel rounds the scale product in float64, then to fp32). In
 * A V, each key's scale (over its row of V) is folded into the attention weights by the vector
 * unit's fp32 product (A diag(s) and diag(1/s) V rounded to fp32, as the module says), then the
 * same definitions apply. Then causality from its definition (int8, and the block formats MXFP4,
 * MXFP8 E4M3 and NVFP4 per token), and the einsum refusal.
 */
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { arithmeticOf, executeGraph, runKernel } from '../../models/exec/executor.ts';
import { planDecoder } from '../../models/lm/decoder.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';
import { checkTokenScalable } from '../../models/exec/token-scales.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import type { Graph } from '../../models/graph.ts';
import { InputError } from '../../sim/errors.ts';

/** a finite double as an exact fraction num / den (den a power of two) */
function frac(x: number): [bigint, bigint] {
  if (x === 0) return [0n, 1n];
  let e = 0, m = Math.abs(x);
  while (!Number.isInteger(m)) { m *= 2; e++; }
  return [BigInt(x < 0 ? -m : m), 1n << BigInt(e)];
}

/** round num / den to the nearest integer, ties to even (den > 0) */
function rne(num: bigint, den: bigint): bigint {
  const neg = num < 0n, a = neg ? -num : num;
  let q = a / den;
  const r2 = (a - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q++;
  return neg ? -q : q;
}

/** codes of values scaled by max|values| / 127: x * 127 / max, rounded (all zero: scale 1) */
function codes(values: readonly number[]): { q: bigint[]; max: number } {
  const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (max === 0) return { q: values.map((v) => rne(frac(v)[0], frac(v)[1])), max: 127 };
  const [mn, md] = frac(max);
  return { q: values.map((v) => { const [n, d] = frac(v); return rne(n * 127n * md, d * mn); }), max };
}

/** the exact value dot * (maxA / 127) * (maxB / 127) as a double (rounded once) */
function exactValue(dot: bigint, maxA: number, maxB: number): number {
  const [an, ad] = frac(maxA), [bn, bd] = frac(maxB);
  const num = dot * an * bn, den = ad * bd * 127n * 127n;
  return Number(num) / Number(den); // both below 2^53 here: one rounding each, well inside the tolerance
}

function withinUlp(got: number, want: number): boolean {
  if (want === 0) return got === 0;
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
  return Math.abs(got - want) <= ulp;
}

const g = loadGraph(resolveTrainedModel('lm-austen'));
const core = planDecoder(g).cores[0];
const int8 = arrayBackend(getPe('int8'), { dataflow: 'os', rows: 32 });
const arith = arithmeticOf({ array: int8, tokenScales: true });
const H = 2, N = 3, LEN = 5, HD = 4;

describe('per-token int8 scales against exact rationals', () => {
  const r = makeRng(11);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r.normal() * 3);

  it('Q K^T: a scale per query, one per key', () => {
    const q = rand(H * N * HD), kt = rand(H * HD * LEN);
    const out = runKernel(g, core.scores, arith, (j) => [q, kt][j], [[1, H, N, HD], [1, H, HD, LEN]], [1, H, N, LEN]);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < N; i++) {
        const row = codes(Array.from(q.subarray((h * N + i) * HD, (h * N + i + 1) * HD)));
        for (let j = 0; j < LEN; j++) {
          const col = codes(Array.from({ length: HD }, (_, p) => kt[(h * HD + p) * LEN + j]));
          const dot = row.q.reduce((s, a, p) => s + a * col.q[p], 0n);
          const got = out[(h * N + i) * LEN + j];
          expect(withinUlp(got, exactValue(dot, row.max, col.max)), `head ${h} query ${i} key ${j}: ${got}`).toBe(true);
        }
      }
    }
  });

  it('A V: each key\'s scale folded into the weights, then a scale per query', () => {
    // causal weights: query i sees keys 0..i + 2 (the rest exactly 0, as after the mask)
    const a = Float32Array.from({ length: H * N * LEN }, (_, e) => (e % LEN <= Math.floor(e / LEN) % N + 2 ? Math.abs(r.normal()) / 4 : 0));
    const v = rand(H * LEN * HD);
    const out = runKernel(g, core.values, arith, (j) => [a, v][j], [[1, H, N, LEN], [1, H, LEN, HD]], [1, H, N, HD]);
    for (let h = 0; h < H; h++) {
      const s = Array.from({ length: LEN }, (_, j) => v.subarray((h * LEN + j) * HD, (h * LEN + j + 1) * HD).reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 127);
      for (let i = 0; i < N; i++) {
        const folded = Array.from({ length: LEN }, (_, j) => Math.fround(a[(h * N + i) * LEN + j] * s[j]));
        const row = codes(folded);
        for (let d = 0; d < HD; d++) {
          // diag(1/s) V in fp32, quantized with scale 1: rounded to the nearest integer
          const col = Array.from({ length: LEN }, (_, j) => { const [n, dd] = frac(Math.fround(v[(h * LEN + j) * HD + d] / s[j])); return rne(n, dd); });
          const dot = row.q.reduce((acc, x, j) => acc + x * col[j], 0n);
          const got = out[(h * N + i) * HD + d];
          expect(withinUlp(got, exactValue(dot, row.max, 127)), `head ${h} query ${i} channel ${d}: ${got}`).toBe(true);
        }
      }
    }
  });

  it('a linear layer: a scale per token, one for the weight tensor', () => {
    const lin = g.nodes.find((n) => n.op === 'linear')!;
    const w = g.tensors.get(lin.inputs[1])!, bias = lin.inputs[2] ? g.tensors.get(lin.inputs[2])!.data : undefined;
    const [nOut, k] = w.shape;
    const x = rand(2 * k);
    const inputs = [x, w.data!, ...(bias ? [bias] : [])];
    const out = runKernel(g, lin, arith, (j) => inputs[j], [[1, 2, k], w.shape, ...(bias ? [[nOut]] : [])], [1, 2, nOut]);
    const wq = codes(Array.from(w.data!));
    for (let t = 0; t < 2; t++) {
      const row = codes(Array.from(x.subarray(t * k, (t + 1) * k)));
      for (const j of [0, 1, nOut - 1]) {
        const dot = row.q.reduce((s, a, p) => s + a * wq.q[j * k + p], 0n);
        // the kernel adds the bias in fp32 after the GEMM's result is rounded to fp32
        const want = bias ? Math.fround(Math.fround(exactValue(dot, row.max, wq.max)) + bias[j]) : exactValue(dot, row.max, wq.max);
        const got = out[t * nOut + j];
        expect(withinUlp(got, want), `token ${t} output ${j}: ${got} vs ${want}`).toBe(true);
      }
    }
  });
});

/**
 * Causality, from its definition: with per-token scales, changing the last position's input
 * changes no earlier position's output (per tensor, it does). Attention written as matmuls (A
 * straight from the softmax, and through an identity: a Dropout or Cast imports as one), and the
 * fused attention node.
 */
describe('per-token int8 scales are causal', () => {
  const T = 6, D = 8;
  const r = makeRng(9);
  const x1 = Float32Array.from({ length: T * D }, () => r.normal());
  const x2 = Float32Array.from(x1);
  for (let e = 0; e < D; e++) x2[(T - 1) * D + e] *= 8; // only the last position changes
  const be = arrayBackend(getPe('int8'), { dataflow: 'os', rows: 32 });

  function matmulAttention(viaIdentity: boolean): Graph {
    const b = new GraphBuilder(`attention${viaIdentity ? '-identity' : ''}`, { weights: true, seed: 3 });
    const x = b.input('x', [1, T, D]);
    const q = b.linear(x, 'q', D), k = b.linear(x, 'k', D), v = b.linear(x, 'v', D);
    b.add({ op: 'matmul', name: 's', inputs: [q, b.transpose(k, 'kt', [0, 2, 1])], output: 's' });
    const m = b.buffer('mask', [T, T], { kind: 'const', value: 0 });
    const md = b.g.tensors.get(m)!.data!;
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) md[i * T + j] = -1e30;
    let a = b.softmax(b.binary('add', 's', m, 's2'), 'a');
    if (viaIdentity) a = b.add({ op: 'identity', name: 'dropout', inputs: [a], output: 'dropout' });
    b.add({ op: 'matmul', name: 'y', inputs: [a, v], output: 'y' });
    b.output('y');
    return b.g;
  }
  function fusedAttention(): Graph {
    const b = new GraphBuilder('fused', { weights: true, seed: 3 });
    const x = b.input('x', [1, T, D]);
    b.output(b.attention(b.linear(x, 'q', D), b.linear(x, 'k', D), b.linear(x, 'v', D), 'y', 2, { causal: true }));
    return b.g;
  }
  const earlierChanged = (g: Graph, tokenScales: boolean, backend = be) => {
    const opts = { array: backend, attentionArray: backend, tokenScales };
    const y1 = executeGraph(g, { x: x1 }, opts).get('y')!, y2 = executeGraph(g, { x: x2 }, opts).get('y')!;
    let n = 0;
    for (let i = 0; i < (T - 1) * D; i++) if (!Object.is(y1[i], y2[i])) n++;
    return n;
  };

  it.each([
    ['matmuls, the softmax feeding A V', () => matmulAttention(false)],
    ['matmuls, an identity (Dropout) between the softmax and A V', () => matmulAttention(true)],
    ['the fused attention node', fusedAttention],
  ] as const)('%s: no earlier output changes per token; some do per tensor', (_, build) => {
    const g = build();
    expect(earlierChanged(g, true)).toBe(0);
    expect(earlierChanged(g, false)).toBeGreaterThan(0);
    // block formats per token: each query's value blocks over the keys it reads, NVFP4's scale per token
    for (const kind of ['mxfp4', 'mxfp8-e4m3', 'nvfp4']) {
      expect(earlierChanged(g, true, arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 })), kind).toBe(0);
    }
  });

  it('an einsum under per-token scales and a data-scaled or block PE is refused before any work; float PEs need no scale', () => {
    const b = new GraphBuilder('einsum', { weights: true, seed: 3 });
    const x = b.input('x', [1, T, D]);
    b.add({ op: 'einsum', name: 'e', inputs: [x, x], output: 'e', equation: 'bid,bjd->bij' });
    b.output('e');
    expect(() => checkTokenScalable(b.g, [be])).toThrow(/node 'e' \(einsum\): per-token scales/);
    expect(() => checkTokenScalable(b.g, [arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 })])).not.toThrow();
    // a block format's V blocks (NVFP4's tensor scale) would span the window's later positions too
    for (const kind of ['mxfp8-e4m3', 'nvfp4']) {
      expect(() => checkTokenScalable(b.g, [arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 })])).toThrow(/node 'e' \(einsum\): per-token scales/);
    }
    expect(() => executeGraph(b.g, { x: x1 }, { array: be, attentionArray: be, tokenScales: true })).toThrow(InputError);
  });
});
