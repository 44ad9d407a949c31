/**
 * Output arrays reused from run to run (models/exec/output-pool.ts) change no bit: runs through
 * the pool equal runs with every tensor kept (`keepAll`, which reuses nothing), a run's outputs
 * are not overwritten by later runs (they leave with the caller, views of reused arrays
 * included), and a computed tensor read as a layer's weights (the backend caches their
 * quantized layout by the array) is never reused for another tensor.
 */
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph, type ExecOptions } from '../../models/exec/executor.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';

const rand = (n: number, seed: number) => {
  const r = makeRng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
};

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('output arrays reused between runs', () => {
  const cnn = loadGraph(resolveTrainedModel('cnn'));
  const input = cnn.inputs[0], output = cnn.outputs[0];
  const images = [rand(784, 1), rand(784, 2), rand(784, 3)];

  it.each([
    ['fp32 reference', {}],
    ['fp8-e4m3', { array: arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 }) }],
    ['int8', { array: arrayBackend(getPe('int8'), { dataflow: 'ws', rows: 16 }) }],
  ] as [string, ExecOptions][])('%s: each run equals a run that keeps every tensor, and earlier outputs stay as they were', (_, opts) => {
    const kept = images.map((x) => Float32Array.from(executeGraph(cnn, { [input]: x }, { ...opts, keepAll: true }).get(output)!));
    const outs = [0, 1, 2, 0, 1, 2].map((i) => executeGraph(cnn, { [input]: images[i] }, opts).get(output)!);
    outs.forEach((o, r) => expect(same(o, kept[r % 3]), `run ${r}`).toBe(true));
  });

  it('the language model (attention, views, element-wise chains), int8 per token: runs of two windows in turn equal runs that keep every tensor', () => {
    const lm = loadGraph(resolveTrainedModel('lm-austen'));
    const text = loadText('austen');
    const opts = { array: arrayBackend(getPe('int8'), { dataflow: 'os', rows: 32 }), tokenScales: true };
    const windows = [windowTokens(text, 3, 128), windowTokens(text, 4, 128)];
    const kept = windows.map((t) => Float32Array.from(executeGraph(lm, { tokens: t }, { ...opts, keepAll: true }).get('logits')!));
    [0, 1, 0, 1].forEach((w, r) => expect(same(executeGraph(lm, { tokens: windows[w] }, opts).get('logits')!, kept[w]), `run ${r}`).toBe(true));
  });

  it('an output that is a view of a reused array, and a computed tensor read as weights, keep their values', () => {
    const b = new GraphBuilder('views', { weights: true, seed: 5 });
    const x = b.input('x', [1, 2, 6, 6]);
    const c = b.relu(b.conv(x, 'c', { out: 4, k: 3 }), 'r');
    // a flatten of the relu's array is the graph's first output; the relu also feeds a conv
    b.output(b.flatten(c, 'flat'), b.relu(b.conv(c, 'c2', { out: 2, k: 3 }), 'r2'));
    const g = b.g;
    const opts = { array: arrayBackend(getPe('bf16'), { dataflow: 'os', rows: 32 }) };
    const first = executeGraph(g, { x: rand(72, 7) }, opts);
    const copies = new Map([...first].map(([k, v]) => [k, Float32Array.from(v)]));
    for (let s = 8; s < 12; s++) executeGraph(g, { x: rand(72, s) }, opts);
    for (const [k, v] of first) expect(same(v, copies.get(k)!), k).toBe(true);
  });

  it('a computed tensor read as a linear layer\'s weights (cached by the array) is not reused for another', () => {
    const b = new GraphBuilder('dynamic-weights', { weights: true, seed: 6 });
    const x = b.input('x', [2, 4]);
    const w = b.input('w', [3, 4]);
    const wr = b.relu(w, 'wr');
    b.add({ op: 'linear', name: 'lin', inputs: [x, wr], output: 'lin' });
    b.output(b.relu(b.binary('add', 'lin', 'lin', 'twice'), 'y'));
    const g = b.g;
    const opts = { array: arrayBackend(getPe('fp16'), { dataflow: 'os', rows: 32 }) };
    for (let s = 0; s < 4; s++) {
      const feeds = { x: rand(8, 20 + s), w: rand(12, 30 + s) };
      const kept = executeGraph(g, feeds, { ...opts, keepAll: true }).get('y')!;
      expect(same(executeGraph(g, feeds, opts).get('y')!, kept), `run ${s}`).toBe(true);
    }
  });
});
