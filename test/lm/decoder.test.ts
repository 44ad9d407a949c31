/**
 * KV-cache decoding (models/lm/decoder.ts) against a full recompute of the window by the graph
 * executor: a prefill of 100 characters and 28 single-token steps give, at every position, the
 * logits of one whole-window run, bit for bit, in the fp32 reference and through PE kinds in
 * each dataflow's order (the float and L-Mul kinds scale nothing by data; int8 scales per token
 * in a language model, models/exec/token-scales.ts; MX and NVFP4 take each query's value blocks
 * over the keys it reads and NVFP4's tensor scale per token). A prefill of the first t + 1
 * characters alone (a full recompute of that prefix) gives the window's first t + 1 positions.
 * Per-token scales are causal: changing a later character changes no earlier position's logits,
 * where scales over the window would. Greedy generation gives PyTorch's recorded continuation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph, type ExecOptions } from '../../models/exec/executor.ts';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { KvDecoder, planDecoder } from '../../models/lm/decoder.ts';
import { firstDivergence, generate, sampleToken } from '../../models/lm/generate.ts';
import type { Graph } from '../../models/graph.ts';
import type { Dataflow } from '../../sim/arch/schema.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';

const g = loadGraph(resolveTrainedModel('lm-austen'));
const plan = planDecoder(g);
const T = 128, V = 128, PREFILL = 100;
const tokens = windowTokens(loadText('austen'), 40, T);
const metrics = JSON.parse(readFileSync(new URL('../../models/data/trained/lm-metrics.json', import.meta.url), 'utf8')) as {
  greedy: { prompt: string; continuation: string };
};

/** logits [T, V] by the cache: a prefill, then one token at a time */
function decoded(opts: ExecOptions): Float32Array {
  const dec = new KvDecoder(plan, opts);
  const out = new Float32Array(T * V);
  out.set(dec.feed(tokens.subarray(0, PREFILL)), 0);
  for (let p = PREFILL; p < T; p++) out.set(dec.feed(tokens.subarray(p, p + 1)), p * V);
  expect(dec.length).toBe(T);
  return out;
}

function differing(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

const pe = (name: string, dataflow: Dataflow, accumulate?: 'top' | 'below'): ExecOptions =>
  ({ array: arrayBackend(getPe(name), { dataflow, rows: 32, ...(accumulate && { accumulate }) }) });

describe('KV-cache decode equals a full recompute', () => {
  it('finds the four attention cores of the exported graph (4 heads of 32)', () => {
    expect(plan.cores.length).toBe(4);
    expect(plan.cores.map((c) => [c.heads, c.headDim])).toEqual([[4, 32], [4, 32], [4, 32], [4, 32]]);
  });

  it.each([
    ['fp32 reference', {}],
    ['fp8-e4m3, os', pe('fp8-e4m3', 'os')],
    ['lmul-m4, ws (rows fold K, partial sums below)', pe('lmul-m4', 'ws', 'below')],
    ['bf16, is (partial sums added at the top)', pe('bf16', 'is', 'top')],
    ['int8, os (per-token scales)', pe('int8', 'os')],
    ['mxfp8-e4m3, os (value blocks over the keys each query reads)', pe('mxfp8-e4m3', 'os')],
    ['mxfp4, ws (rows fold K, partial sums below)', pe('mxfp4', 'ws', 'below')],
    ['nvfp4, os (and its FP32 scale per token)', pe('nvfp4', 'os')],
  ] as const)('%s: every position\'s logits bit for bit', (_, opts) => {
    const full = executeGraph(g, { tokens }, { ...opts, tokenScales: true }).get('logits')!;
    expect(differing(decoded(opts), full)).toBe(0);
  });

  it.each([['mxfp6-e2m3', 45], ['nvfp4', 70], ['int8', 33]] as const)('%s: a prefill of the first %i characters alone gives the window\'s first positions bit for bit', (name, len) => {
    const opts = pe(name, 'os');
    const full = executeGraph(g, { tokens }, { ...opts, tokenScales: true }).get('logits')!;
    const prefix = new KvDecoder(plan, opts).feed(tokens.subarray(0, len));
    expect(differing(prefix, full.subarray(0, len * V))).toBe(0);
  });

  it.each(['mxfp8-e4m3', 'nvfp4'])('%s per token is causal: a changed character changes no earlier position\'s logits (blocks over the window do)', (name) => {
    const opts = pe(name, 'os');
    const changed = Float32Array.from(tokens);
    changed[PREFILL] = tokens[PREFILL] === 90 ? 122 : 90;
    const earlier = (o: ExecOptions, x: Float32Array) => executeGraph(g, { tokens: x }, o).get('logits')!.subarray(0, PREFILL * V);
    const token = { ...opts, tokenScales: true };
    expect(differing(earlier(token, changed), earlier(token, tokens))).toBe(0);
    expect(differing(earlier(opts, changed), earlier(opts, tokens))).toBeGreaterThan(0);
  });

  it('int8 per token is causal: a changed character changes no earlier position\'s logits (per tensor over the window it does)', () => {
    const opts = pe('int8', 'os');
    const changed = Float32Array.from(tokens);
    changed[PREFILL] = tokens[PREFILL] === 90 ? 122 : 90; // 'Z' (or 'z'): an activation the window had not seen there
    const earlier = (o: ExecOptions, x: Float32Array) => executeGraph(g, { tokens: x }, o).get('logits')!.subarray(0, PREFILL * V);
    const token = { ...opts, tokenScales: true };
    expect(differing(earlier(token, changed), earlier(token, tokens))).toBe(0);
    expect(differing(earlier(opts, changed), earlier(opts, tokens))).toBeGreaterThan(0);
    // the per-token run and the per-tensor run differ: the choice matters
    expect(differing(earlier(token, tokens), earlier(opts, tokens))).toBeGreaterThan(0);
  });
});

describe('generation', () => {
  it('greedy from the recorded prompt gives PyTorch\'s continuation (fp32 reference)', () => {
    const prompt = new Uint8Array(Buffer.from(metrics.greedy.prompt, 'ascii'));
    const n = metrics.greedy.continuation.length;
    const ids = generate(plan, {}, prompt, { tokens: n, temperature: 0, seed: 0 });
    expect(String.fromCharCode(...ids)).toBe(metrics.greedy.continuation);
  });

  it('sampling is seeded: the same seed, the same text; the sampler draws by the cumulative probabilities', () => {
    const prompt = new Uint8Array(Buffer.from('Anne', 'ascii'));
    const a = generate(plan, {}, prompt, { tokens: 12, temperature: 1, seed: 7 });
    const b = generate(plan, {}, prompt, { tokens: 12, temperature: 1, seed: 7 });
    expect(a).toEqual(b);
    // ...and the seed is used: another seed, another text
    expect(generate(plan, {}, prompt, { tokens: 12, temperature: 1, seed: 8 })).not.toEqual(a);
    // logits ln [1, 2, 1]: probabilities [1/4, 1/2, 1/4]
    const row = [0, Math.log(2), 0];
    expect([0, 0.24, 0.26, 0.74, 0.76, 0.999].map((u) => sampleToken(row, 0, 3, 1, u))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(firstDivergence([1, 2, 3], [1, 2, 3])).toBe(-1);
    expect(firstDivergence([1, 2, 3], [1, 5, 3])).toBe(1);
  });

  it('refuses prompts and lengths the model cannot take, before any work', () => {
    expect(() => generate(plan, {}, new Uint8Array(0), { tokens: 1, temperature: 0, seed: 0 })).toThrow(/empty/);
    expect(() => generate(plan, {}, new Uint8Array([200]), { tokens: 1, temperature: 0, seed: 0 })).toThrow(/outside the model's vocabulary/);
    expect(() => generate(plan, {}, new Uint8Array(100).fill(65), { tokens: 29, temperature: 0, seed: 0 })).toThrow(/at most 28 tokens/);
    expect(() => generate(plan, {}, new Uint8Array([65]), { tokens: 1, temperature: -1, seed: 0 })).toThrow(InputError);
    const dec = new KvDecoder(plan);
    expect(() => dec.feed(new Float32Array(T + 1))).toThrow(/context is 128 tokens/);
  });
});

describe('planDecoder refuses graphs it cannot cache', () => {
  it('an image model', () => {
    expect(() => planDecoder(loadGraph(resolveTrainedModel('mlp')), 'mlp')).toThrow(/not a language model/);
  });

  it('a mask that lets a query see a later key', () => {
    const where = g.nodes.find((n) => n.op === 'where')!;
    const cond = g.tensors.get(where.inputs[0])!;
    const leaky = new Float32Array(cond.data!);
    leaky[5 * T + 9] = 0;
    const tensors = new Map(g.tensors);
    tensors.set(cond.name, { ...cond, data: leaky });
    const bad: Graph = { ...g, tensors };
    expect(() => planDecoder(bad, 'leaky')).toThrow(/lets query 5 see key 9: not causal/);
  });
});
