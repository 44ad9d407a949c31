/**
 * Reductions over a set of axes: mean, sum, max, min (ONNX ReduceMean / ReduceSum / ReduceMax /
 * ReduceMin; the written-out layer norm of opset-13 exports is ReduceMean, Sub, Pow, ReduceMean,
 * Add, Sqrt, Div). On the vector unit, one pass per input element. Arithmetic: each output's
 * elements are added in row-major order of the input, every partial sum rounded into the
 * vector format (as the unit adds them one by one), then a mean divides once more.
 */
import { broadcastOffsets } from '../exec/kernel-util.ts';
import { numel, shapeStr, type NodeBase } from '../graph.ts';
import type { OnnxContext, OperatorDef } from './types.ts';

export type ReduceKind = 'mean' | 'sum' | 'max' | 'min';

export interface ReduceNode extends NodeBase {
  readonly op: `reduce_${ReduceKind}`;
  /** the reduced axes, non-negative */
  readonly axes: readonly number[];
  readonly keepdims: boolean;
}

function keptShape(x: readonly number[], axes: readonly number[]): number[] {
  return x.map((d, i) => (axes.includes(i) ? 1 : d));
}

export const REDUCE: OperatorDef<ReduceNode> = {
  ops: ['reduce_mean', 'reduce_sum', 'reduce_max', 'reduce_min'],
  inferShape(s, node) {
    const x = s.sh(0);
    for (const a of node.axes) if (!Number.isInteger(a) || a < 0 || a >= x.length) s.fail(`axis ${a} out of range for ${shapeStr(x)}`);
    if (node.keepdims) return keptShape(x, node.axes);
    const out = x.filter((_, i) => !node.axes.includes(i));
    return out.length === 0 ? [1] : out;
  },
  lower(ctx, node) {
    const n = numel(ctx.shape(node.inputs[0]));
    ctx.vector('reduce', n, 1);
    return { mapping: 'vector', detail: `${node.op.slice(7)} over axes [${node.axes.join(', ')}] on the vector unit` };
  },
  kernel(ctx, node) {
    const { vr } = ctx;
    const x = ctx.val(0), xs = ctx.shp(0);
    const off = broadcastOffsets(xs, keptShape(xs, node.axes));
    const o = new Float32Array(ctx.outN);
    const kind = node.op.slice(7) as ReduceKind;
    if (kind === 'max') o.fill(-Infinity);
    if (kind === 'min') o.fill(Infinity);
    for (let e = 0; e < x.length; e++) {
      const j = off[e], v = x[e];
      if (kind === 'max') o[j] = v > o[j] || v !== v ? v : o[j];
      else if (kind === 'min') o[j] = v < o[j] || v !== v ? v : o[j];
      else o[j] = vr(o[j] + v);
    }
    if (kind === 'mean') {
      const count = x.length / Math.max(1, o.length);
      for (let j = 0; j < o.length; j++) o[j] = vr(o[j] / count);
    }
    return o;
  },
  onnx: {
    ReduceMean: (ctx) => importReduce(ctx, 'mean', 18),
    ReduceSum: (ctx) => importReduce(ctx, 'sum', 13),
    ReduceMax: (ctx) => importReduce(ctx, 'max', 18),
    ReduceMin: (ctx) => importReduce(ctx, 'min', 18),
  },
};

/** axes: an attribute before `axesInputFrom`, an optional input from it (empty: every axis, or none with noop_with_empty_axes) */
function importReduce(ctx: OnnxContext, kind: ReduceKind, axesInputFrom: number): void {
  const r = ctx.rank(0);
  let axes = ctx.opset >= axesInputFrom ? (ctx.input(1) !== '' ? Array.from(ctx.constData(1)) : undefined) : ctx.attrInts('axes');
  if (axes === undefined || axes.length === 0) {
    if (ctx.attrInt('noop_with_empty_axes', 0) === 1) {
      ctx.add({ op: 'identity', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out });
      return;
    }
    axes = Array.from({ length: r }, (_, i) => i);
  }
  const norm = [...new Set(axes.map((a) => (a < 0 ? a + r : a)))].sort((a, b) => a - b);
  ctx.add({ op: `reduce_${kind}`, name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, axes: norm, keepdims: ctx.attrInt('keepdims', 1) === 1 });
}
