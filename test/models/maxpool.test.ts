/**
 * MaxPool, bit for bit against onnxruntime-node: the 2 x 2 stride-2 windows of CNNs (their own
 * loop, models/ops/pool.ts) and the general loop (3 x 3 stride 2 with padding, ceil mode), on
 * data full of ties and infinities. Two rules onnxruntime does not share are checked on
 * hand-made windows: NaN never wins (onnxruntime propagates it), and of a tie between +0 and
 * -0 the first in scan order stays (onnxruntime's choice differs), so the comparison with
 * onnxruntime counts a zero as a zero.
 */
import { describe, expect, it } from 'vitest';
import { executeGraph } from '../../models/exec/executor.ts';
import { importOnnx } from '../../models/import/onnx.ts';
import { makeRng } from '../../sim/random.ts';
import { OnnxModelBuilder, runOrt } from './onnx-builder.ts';

/**
 * values with many exact ties, signed zeros and +Inf (no -Inf: a window of -Inf alone gives -Inf
 * here, as in PyTorch, and -FLT_MAX in onnxruntime, which starts from the lowest finite float)
 */
function tiedInput(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const pick = [0, -0, 1, -1, 0.5, 2, Infinity, 3];
  return Float32Array.from({ length: n }, () => (rng.next() < 0.6 ? pick[Math.floor(rng.next() * pick.length)] : rng.normal()));
}

function poolModel(dims: number[], attrs: Record<string, number | number[]>): { bytes: Uint8Array; dims: number[] } {
  const b = new OnnxModelBuilder(1, 17);
  b.input('x', dims);
  b.node('MaxPool', ['x'], 'y', attrs);
  b.output('y');
  return { bytes: b.encode(), dims };
}

function ours(bytes: Uint8Array, dims: number[], x: Float32Array): Float32Array {
  const g = importOnnx(bytes, { file: 'maxpool.onnx', inputShapes: { x: dims } });
  return executeGraph(g, { x }).get(g.outputs[0]) as Float32Array;
}

/** bit patterns, every zero as +0 */
const bits = (v: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(v, (x) => (x === 0 ? 0 : x)).buffer));

describe('MaxPool vs onnxruntime-node, bit for bit', () => {
  const cases: [string, number[], Record<string, number | number[]>][] = [
    ['2x2 stride 2, even sides (the CNN: the 2 x 2 loop)', [2, 3, 8, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['2x2 stride 2, odd sides (last row and column dropped)', [1, 4, 7, 9], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['2x2 stride 2, ceil mode (clipped windows: the general loop)', [1, 2, 7, 5], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }],
    ['3x3 stride 2, padded (the general loop)', [1, 3, 9, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['2x2 stride 1 (overlapping windows)', [1, 2, 5, 5], { kernel_shape: [2, 2], strides: [1, 1] }],
  ];
  for (const [name, dims, attrs] of cases) {
    it(name, async () => {
      const m = poolModel(dims, attrs);
      for (let seed = 1; seed <= 4; seed++) {
        const x = tiedInput(dims.reduce((a, b) => a * b, 1), seed);
        const ref = (await runOrt(m.bytes, { x: { data: x, dims } })).y;
        expect(bits(ours(m.bytes, dims, x))).toEqual(bits(ref));
      }
    });
  }

  it('NaN never wins a window; the first of tied +0 / -0 stays (both loops)', () => {
    const show = (y: Float32Array) => Array.from(y).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    // the 2 x 2 loop: windows (row 0 pair, row 1 pair) [NaN 1 | 2 NaN], [-0 0 | 0 -0], [0 -0 | -0 0], [NaN NaN | NaN NaN]
    const m2 = poolModel([1, 1, 2, 8], { kernel_shape: [2, 2], strides: [2, 2] });
    const x2 = Float32Array.of(NaN, 1, -0, 0, 0, -0, NaN, NaN, 2, NaN, 0, -0, -0, 0, NaN, NaN);
    expect(show(ours(m2.bytes, [1, 1, 2, 8], x2))).toEqual(['2', '-0', '0', '-Infinity']);
    // the general loop: 3 x 3 windows of one plane each
    const m3 = poolModel([4, 1, 3, 3], { kernel_shape: [3, 3], strides: [1, 1] });
    const x3 = Float32Array.of(
      NaN, 1, NaN, 2, NaN, -5, NaN, 0, NaN,
      -0, 0, 0, -0, 0, -0, 0, 0, 0,
      0, -0, -0, -0, -0, -0, -0, -0, -0,
      NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN,
    );
    expect(show(ours(m3.bytes, [4, 1, 3, 3], x3))).toEqual(['2', '-0', '0', '-Infinity']);
  });
});
