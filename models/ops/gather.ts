/**
 * Gather with constant indices: x[..., indices, ...] along one axis (ViT's class token x[:, 0],
 * Swin's q, k, v = qkv[0], qkv[1], qkv[2]). Address arithmetic, like a slice: a view for
 * lowering and the network scheduler (which reads only the gathered part of a weight or graph
 * input). ONNX Gather: a table lookup with computed ids (a 2-D constant indexed along axis 0)
 * imports as an embedding (embedding.ts); constant indices import here; any other gather is
 * refused.
 */
import { numel, shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export interface GatherNode extends NodeBase {
  readonly op: 'gather';
  readonly axis: number;
  /** indices into the axis, non-negative, row-major */
  readonly indices: readonly number[];
  /** their shape ([] for one index: the axis goes away) */
  readonly indicesShape: readonly number[];
}

export const GATHER: OperatorDef<GatherNode> = {
  ops: ['gather'],
  inferShape(s, node) {
    const x = s.sh(0);
    if (node.axis < 0 || node.axis >= x.length) s.fail(`axis ${node.axis} out of range for ${shapeStr(x)}`);
    if (numel(node.indicesShape) !== node.indices.length) s.fail(`${node.indices.length} indices for shape ${shapeStr(node.indicesShape)}`);
    for (const i of node.indices) if (!Number.isInteger(i) || i < 0 || i >= x[node.axis]) s.fail(`index ${i} outside axis ${node.axis} of size ${x[node.axis]}`);
    const out = [...x.slice(0, node.axis), ...node.indicesShape, ...x.slice(node.axis + 1)];
    return out.length === 0 ? [1] : out;
  },
  lower: () => ({ mapping: 'view', detail: 'view (address arithmetic, no data movement)' }),
  kernel(ctx, node) {
    const x = ctx.val(0), xs = ctx.shp(0);
    const dim = xs[node.axis];
    const outer = numel(xs.slice(0, node.axis)), inner = numel(xs.slice(node.axis + 1));
    const o = new Float32Array(ctx.outN);
    let p = 0;
    for (let a = 0; a < outer; a++) {
      for (const j of node.indices) {
        o.set(x.subarray((a * dim + j) * inner, (a * dim + j + 1) * inner), p);
        p += inner;
      }
    }
    return o;
  },
  scratchpad: {
    view: 'first',
    partialRead: (g, node, slot) => (slot === 0 ? numel(tensor(g, node.output).shape) : undefined),
  },
  onnx: {
    Gather(ctx) {
      const x = ctx.info(0).shape;
      const r = x.length;
      const a = ctx.attrInt('axis', 0);
      const axis = a < 0 ? a + r : a;
      if (axis < 0 || axis >= r) ctx.bad(`axis ${a} out of range for rank ${r}`);
      if (!ctx.isConst(1)) {
        if (axis !== 0 || r !== 2 || !ctx.isConst(0)) ctx.bad('computed indices are supported only for an embedding lookup (a 2-D constant indexed along axis 0)');
        ctx.add({ op: 'embedding', name: ctx.name, inputs: [ctx.input(0), ctx.input(1)], output: ctx.out });
        return;
      }
      const ind = ctx.constValue(1);
      const indices = Array.from(ind.data, (i) => (i < 0 ? i + x[axis] : i));
      ctx.add({ op: 'gather', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, axis, indices, indicesShape: [...ind.shape] });
    },
  },
};
