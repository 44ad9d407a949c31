/**
 * Scores a causal mask throws away (models/exec/read-columns.ts): the pattern is found where the
 * mask says so (the trained language model's mask is causal by construction, query i reads keys
 * 0..i, so its Q K^T rows read i + 1 columns) and nowhere else, and skipping those scores leaves
 * every logit the same bits as computing them all (keepAll, which skips nothing), in every
 * kind that runs through the rows; the WebAssembly pass given per-row counts computes the
 * outputs below them (rounded up to 16) as the full pass does and leaves the rest at +0.
 */
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { readColumns } from '../../models/exec/read-columns.ts';
import type { Graph } from '../../models/graph.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { f32Rows } from '../../sim/pe/wasm/f32-rows.ts';

const T = 6, D = 8;

/** scores -> (mul by a scalar) -> Where(mask, -inf, scores) -> softmax -> A V; variants break one link */
function attention(variant: 'plain' | 'scores-output' | 'second-reader' | 'where-x' | 'mask-per-head' | 'vector-scale' | 'mask-input'): Graph {
  const b = new GraphBuilder(`masked-${variant}`, { weights: true, seed: 5 });
  const x = b.input('x', [1, T, D]);
  const q = b.linear(x, 'q', D), k = b.linear(x, 'k', D), v = b.linear(x, 'v', D);
  b.add({ op: 'matmul', name: 's', inputs: [q, b.transpose(k, 'kt', [0, 2, 1])], output: 's' });
  const scale = variant === 'vector-scale' ? b.buffer('scale', [T], { kind: 'const', value: 0.5 }) : b.buffer('scale', [1], { kind: 'const', value: 0.5 });
  const scaled = b.binary('mul', 's', scale, 'scaled');
  const mask = variant === 'mask-input' ? b.input('mask', [T, T]) : b.buffer('mask', variant === 'mask-per-head' ? [2, T, T] : [T, T], { kind: 'const', value: 0 });
  const md = b.g.tensors.get(mask)!.data;
  if (md) for (let at = 0; at < md.length; at += T * T) for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) md[at + i * T + j] = 1;
  const ninf = b.buffer('ninf', [1], { kind: 'const', value: -Infinity });
  const inputs = variant === 'where-x' ? [mask, scaled, ninf] : [mask, ninf, scaled];
  b.add({ op: 'where', name: 'masked', inputs, output: 'masked' });
  const a = b.softmax('masked', 'a');
  b.add({ op: 'matmul', name: 'y', inputs: [a, v], output: 'y' });
  if (variant === 'second-reader') b.add({ op: 'relu', name: 'r', inputs: ['s'], output: 'r' } as never);
  b.output('y', ...(variant === 'scores-output' ? ['s'] : variant === 'second-reader' ? ['r'] : []));
  return b.g;
}

const node = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;

describe('scores a causal mask throws away', () => {
  it("the language model's Q K^T rows read their own position and the ones before it; nothing else is cut", () => {
    const g = loadGraph(resolveTrainedModel('lm-austen'));
    const matmuls = g.nodes.filter((n) => n.op === 'matmul' || n.op === 'linear');
    let scores = 0;
    for (const n of matmuls) {
      const cols = readColumns(g, n);
      if (n.op === 'matmul' && n.name.endsWith('/attn/MatMul')) {
        expect(cols, n.name).toBeDefined();
        expect(Array.from(cols!)).toEqual(Array.from({ length: cols!.length }, (_, i) => i + 1));
        scores++;
      } else expect(cols, n.name).toBeUndefined();
    }
    expect(scores).toBe(4);
  });

  it('found through a scalar scale into the branch Where takes where the mask is false, and only there', () => {
    expect(Array.from(readColumns(attention('plain'), node(attention('plain'), 's'))!)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const v of ['scores-output', 'second-reader', 'where-x', 'mask-per-head', 'vector-scale', 'mask-input'] as const) {
      const g = attention(v);
      expect(readColumns(g, node(g, 's')), v).toBeUndefined();
    }
  });

  it('a small graph: the output with the scores skipped is the one computed with every score (keepAll)', () => {
    const g = attention('plain');
    const x = Float32Array.from({ length: T * D }, (_, i) => Math.sin(i * 0.7) * 2);
    for (const kind of ['fp32', 'fp8-e4m3', 'bf16', 'lmul-m4', 'int8']) {
      const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const opts = { array: be, attentionArray: be, tokenScales: true };
      const skipped = executeGraph(g, { x }, opts).get('y')!;
      const all = executeGraph(g, { x }, { ...opts, keepAll: true }).get('y')!;
      expect(Array.from(skipped).map((v, i) => Object.is(v, all[i])).every(Boolean), kind).toBe(true);
    }
  });

  it.each(['fp8-e4m3', 'fp8-e5m2', 'bf16', 'fp32', 'lmul-m4', 'int8'])('%s: a window of the language model, every logit the same bits', (kind) => {
    const g = loadGraph(resolveTrainedModel('lm-austen'));
    const tokens = windowTokens(loadText('austen'), 7, 128);
    const be = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
    const opts = { array: be, tokenScales: true };
    const rows = f32Rows()!, before = rows.rowsRun;
    const skipped = executeGraph(g, { tokens }, opts).get(g.outputs[0])!;
    expect(rows.rowsRun).toBeGreaterThan(before);
    const all = executeGraph(g, { tokens }, { ...opts, keepAll: true }).get(g.outputs[0])!;
    let differ = 0;
    for (let i = 0; i < all.length; i++) if (!Object.is(skipped[i], all[i])) differ++;
    expect(differ).toBe(0);
  });

  it('the WebAssembly pass computes the outputs below each row\'s count (rounded up to 16) and leaves the rest +0', () => {
    const rows = f32Rows()!;
    const m = 40, k = 24, n = 72;
    const a = Uint32Array.from({ length: m * k }, (_, i) => (i * 37) % 256);
    const dec = Float32Array.from({ length: 256 }, (_, c) => (c === 0 ? 0 : Math.fround((c - 128) / 16)));
    const w = Float32Array.from({ length: k * n }, (_, i) => Math.fround(Math.cos(i) * 3));
    const cols = Int32Array.from({ length: m }, (_, i) => (i * 7) % (n + 1));
    const full = new Float64Array(m * n), cut = new Float64Array(m * n).fill(7);
    rows.pass({ a, m, k, k0: 0, ku: k, n, acc: full, w, dec, keepZeros: false, fresh: true });
    const flags = rows.pass({ a, m, k, k0: 0, ku: k, n, acc: cut, w, dec, keepZeros: false, fresh: true, cols })!;
    for (let i = 0; i < m; i++) {
      expect(flags[i]).toBe(1);
      const upTo = Math.min(n, Math.ceil(cols[i] / 16) * 16);
      for (let j = 0; j < n; j++) expect(Object.is(cut[i * n + j], j < upTo ? full[i * n + j] : 0), `row ${i} column ${j}`).toBe(true);
    }
  });
});
