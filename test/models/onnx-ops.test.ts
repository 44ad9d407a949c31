/**
 * The operators real exports need, each imported and executed here and compared with
 * onnxruntime-node on the same model (fp32, <= 1e-5 relative: max |ours - ort| / max |ort|):
 * shape and mask subgraphs folded at import (Shape, Gather, Unsqueeze, Concat, ConstantOfShape,
 * Expand, Range, Equal, Where, Slice, Cast, Not, Mod, ScatterND), and on computed tensors Pad
 * (constant, reflect, edge), Slice with steps, Split, Einsum (attention patterns), Resize
 * (nearest, linear), LSTM and GRU (both directions, initial states, linear_before_reset),
 * LayerNormalization over two axes, Gelu (tanh), HardSigmoid / HardSwish, ReduceSum / ReduceMax,
 * Where on computed tensors (a causal mask over scores),
 * Min / Max.
 */
import { describe, expect, it } from 'vitest';
import { executeGraph } from '../../models/exec/executor.ts';
import { importOnnx } from '../../models/import/onnx.ts';
import { OnnxModelBuilder, randomInput, relError, runOrt } from './onnx-builder.ts';

const TOL = 1e-5;

async function check(b: OnnxModelBuilder, inputs: Record<string, number[]>, seed = 3): Promise<{ nodes: number; ops: string[] }> {
  const bytes = b.encode();
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
  let s = seed;
  for (const [k, dims] of Object.entries(inputs)) feeds[k] = { data: randomInput(dims.reduce((x, y) => x * y, 1), s++), dims };
  const g = importOnnx(bytes, { file: 'ops.onnx', inputShapes: Object.fromEntries(Object.entries(inputs)) });
  const ours = executeGraph(g, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.data])));
  const ref = await runOrt(bytes, feeds);
  for (const o of g.outputs) {
    expect(ours.get(o)!.length, o).toBe(ref[o].length);
    expect(relError(ours.get(o)!, ref[o]), o).toBeLessThanOrEqual(TOL);
  }
  return { nodes: g.nodes.length, ops: g.nodes.map((n) => n.op) };
}

describe('ONNX operators of real exports vs onnxruntime-node', () => {
  it('shape and mask subgraphs are folded at import: only the real work reaches the graph', async () => {
    const b = new OnnxModelBuilder(1, 17);
    b.input('x', ['batch', 6, 4]);
    // reshape to [batch, 24] with the batch read from Shape (as PyTorch exports x.view(x.size(0), -1))
    b.node('Shape', ['x'], 'shp');
    b.node('Gather', ['shp', b.ints('i0', [0])], 'n1');
    b.node('Concat', ['n1', b.ints('m1', [-1])], 'newshape', { axis: 0 });
    b.node('Reshape', ['x', 'newshape'], 'flat');
    // a causal-style mask from Range / Unsqueeze / Greater... as Equal / Where / Cast / Not / Mod
    b.node('Gather', ['shp', b.ints('i1', [1])], 'len');
    b.node('Squeeze', ['len', b.ints('ax0', [0])], 'len0');
    b.node('Range', [b.scalar('zero', 0), 'len0', b.scalar('one', 1)], 'pos');
    b.node('Mod', ['pos', b.ints('two', [2])], 'odd');
    b.node('Equal', ['odd', b.ints('one1', [1])], 'isodd');
    b.node('Not', ['isodd'], 'iseven');
    b.node('Cast', ['iseven'], 'evenf', { to: 1 });
    b.node('ConstantOfShape', ['len'], 'zeros');
    b.node('Where', ['isodd', 'zeros', 'evenf'], 'w');
    b.node('Unsqueeze', ['w', b.ints('ax1', [1])], 'w2');
    b.node('Expand', ['w2', b.ints('exp', [6, 4])], 'mask');
    b.node('Unsqueeze', [b.ints('sidx', [0, 0]), b.ints('ax00', [0])], 'sidx2');
    b.node('ScatterND', ['mask', 'sidx2', b.weight('supd', [1], 0, Float32Array.of(5))], 'mask2');
    b.node('Mul', ['x', 'mask2'], 'masked');
    b.node('Flatten', ['masked'], 'mflat', { axis: 1 });
    b.node('Add', ['flat', 'mflat'], 'y');
    b.output('y');
    const r = await check(b, { x: [2, 6, 4] });
    // what is left: the reshape and flatten (views), the multiply and the add
    expect(r.ops).toEqual(['reshape', 'mul', 'flatten', 'add']);
  });

  it('Pad (constant with a value, reflect, edge, and an all-zero pad as a view), Slice with steps, Split', async () => {
    const b = new OnnxModelBuilder(2, 13);
    b.input('x', [1, 2, 5, 6]);
    b.node('Pad', ['x', b.ints('p1', [0, 0, 1, 2, 0, 0, 2, 1]), b.weight('pv', [], 0, Float32Array.of(0.5))], 'pc', { mode: 'constant' });
    b.node('Pad', ['x', b.ints('p2', [0, 0, 2, 1, 0, 0, 1, 3])], 'pr', { mode: 'reflect' });
    b.node('Pad', ['x', b.ints('p3', [0, 0, 3, 0, 0, 0, 0, 2])], 'pe', { mode: 'edge' });
    b.node('Pad', ['x', b.ints('p4', [0, 0, 0, 0, 0, 0, 0, 0])], 'pz');
    b.node('Slice', ['pr', b.ints('s0', [0, -1]), b.ints('e0', [100, -100]), b.ints('a0', [2, 3]), b.ints('st0', [2, -2])], 'sl');
    b.nodeN('Split', ['pc', b.ints('sizes', [3, 6])], ['sp0', 'sp1'], { axis: 3 });
    for (const o of ['pe', 'pz', 'sl', 'sp0', 'sp1']) b.output(o);
    const r = await check(b, { x: [1, 2, 5, 6] });
    expect(r.ops.filter((o) => o === 'pad')).toHaveLength(3);
    expect(r.ops).toContain('identity');
  });

  it('Einsum: the attention patterns PyTorch exports, and a projection with an ellipsis', async () => {
    const b = new OnnxModelBuilder(3, 13);
    b.input('q', [2, 3, 5, 4]);
    b.input('k', [2, 3, 6, 4]);
    b.input('v', [2, 3, 6, 4]);
    b.node('Einsum', ['q', 'k'], 's', { equation: 'bhqd,bhkd->bhqk' });
    b.node('Softmax', ['s'], 'p', { axis: -1 });
    b.node('Einsum', ['p', 'v'], 'o', { equation: 'bhqk,bhkd->bhqd' });
    b.node('Einsum', ['o', b.weight('w', [4, 7])], 'y', { equation: '...d,de->...e' });
    b.output('y');
    const r = await check(b, { q: [2, 3, 5, 4], k: [2, 3, 6, 4], v: [2, 3, 6, 4] });
    expect(r.ops.filter((o) => o === 'einsum')).toHaveLength(3);
  });

  it('Resize: nearest (asymmetric / floor, from scales) and linear (half_pixel, align_corners, pytorch_half_pixel, from sizes)', async () => {
    const b = new OnnxModelBuilder(4, 13);
    b.input('x', [1, 2, 4, 5]);
    const none = b.weight('roi', [0], 0, new Float32Array(0));
    b.node('Resize', ['x', none, b.weight('sc', [4], 0, Float32Array.of(1, 1, 2, 1.5))], 'rn', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    b.node('Resize', ['x', none, b.weight('sc2', [4], 0, Float32Array.of(1, 1, 1.5, 2))], 'rn2', { mode: 'nearest' });
    for (const [i, mode] of ['half_pixel', 'align_corners', 'pytorch_half_pixel'].entries()) {
      b.node('Resize', ['x', none, '', b.ints(`sz${i}`, [1, 2, 7, 3])], `rl${i}`, { mode: 'linear', coordinate_transformation_mode: mode });
      b.output(`rl${i}`);
    }
    b.output('rn');
    b.output('rn2');
    await check(b, { x: [1, 2, 4, 5] });
  });

  it('LSTM (both directions, initial states, peepholes) and GRU (linear_before_reset 0 and 1), outputs as views', async () => {
    const [S, B, I, H] = [4, 2, 3, 5];
    const b = new OnnxModelBuilder(5, 13);
    b.input('x', [S, B, I]);
    b.input('h0', [2, B, H]);
    b.input('c0', [2, B, H]);
    b.nodeN('LSTM', ['x', b.weight('W', [2, 4 * H, I]), b.weight('R', [2, 4 * H, H]), b.weight('B', [2, 8 * H], 0.2), '', 'h0', 'c0', b.weight('P', [2, 3 * H], 0.3)],
      ['Y', 'Yh', 'Yc'], { hidden_size: H, direction: 'bidirectional' });
    for (const lbr of [0, 1]) {
      b.nodeN('GRU', ['x', b.weight(`Wg${lbr}`, [1, 3 * H, I]), b.weight(`Rg${lbr}`, [1, 3 * H, H]), b.weight(`Bg${lbr}`, [1, 6 * H], 0.2)],
        [`G${lbr}`, `Gh${lbr}`], { hidden_size: H, direction: lbr ? 'reverse' : 'forward', linear_before_reset: lbr });
      b.output(`G${lbr}`);
      b.output(`Gh${lbr}`);
    }
    for (const o of ['Y', 'Yh', 'Yc']) b.output(o);
    const r = await check(b, { x: [S, B, I], h0: [2, B, H], c0: [2, B, H] });
    expect(r.ops.filter((o) => o === 'lstm' || o === 'gru')).toEqual(['lstm', 'gru', 'gru']);
  });

  it('LayerNormalization over two axes, Gelu (tanh), HardSigmoid, HardSwish, ReduceSum / ReduceMax, Min / Max', async () => {
    const b = new OnnxModelBuilder(6, 20);
    b.input('x', [2, 3, 4, 5]);
    b.node('LayerNormalization', ['x', b.weight('g', [4, 5]), b.weight('bb', [4, 5], 0.1)], 'ln', { axis: -2, epsilon: { float: 1e-5 } });
    b.node('Gelu', ['ln'], 'ge', { approximate: 'tanh' });
    b.node('HardSigmoid', ['ge'], 'hs', { alpha: { float: 0.25 }, beta: { float: 0.4 } });
    b.node('HardSwish', ['ln'], 'hw');
    b.node('ReduceSum', ['hw', b.ints('axes', [1, -1])], 'rs', { keepdims: 0 });
    b.node('ReduceMax', ['hs', b.ints('axes2', [2])], 'rm', { keepdims: 1 });
    b.node('Min', ['ge', 'hw', 'ln'], 'mn');
    b.node('Max', ['ge', 'hs'], 'mx');
    for (const o of ['rs', 'rm', 'mn', 'mx']) b.output(o);
    await check(b, { x: [2, 3, 4, 5] });
  });

  it('Where at run time: a constant causal mask over computed scores (as a causal LM exports masked_fill), and a select of two computed tensors', async () => {
    const b = new OnnxModelBuilder(8, 17);
    b.input('x', [2, 3, 4, 4]);
    b.input('y', [2, 1, 4, 4]);
    // future[i][j] = j > i, as a bool constant (Cast folded at import)
    const fut = b.ints('fut', [0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    b.node('Reshape', [fut, b.ints('s44', [4, 4])], 'fut44');
    b.node('Cast', ['fut44'], 'future', { to: 9 });
    b.node('Where', ['future', b.weight('neg', [1], 0, Float32Array.of(-1e4)), 'x'], 'masked');
    b.node('Softmax', ['masked'], 'p', { axis: -1 });
    b.node('Where', ['future', 'y', 'p'], 'sel');
    b.output('sel');
    const r = await check(b, { x: [2, 3, 4, 4], y: [2, 1, 4, 4] });
    expect(r.ops.filter((o) => o === 'where')).toHaveLength(2);
  });
});

