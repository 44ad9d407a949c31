/** Softmax along one axis; on the vector unit in four passes (max, exp, sum, divide). */
import { softmaxRow } from '../exec/kernel-util.ts';
import { normAxis, numel, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';
import { vectorRows } from '../exec/wasm/vector-rows.ts';

export interface SoftmaxNode extends NodeBase {
  readonly op: 'softmax';
  readonly axis: number;
}

/** vector-unit passes of a softmax: max, exp, sum, divide */
export const SOFTMAX_PASSES = 4;

export const SOFTMAX: OperatorDef<SoftmaxNode> = {
  ops: ['softmax'],
  inferShape(s, node) {
    const x = s.sh(0);
    normAxis(node, node.axis, x.length);
    return [...x];
  },
  lower(ctx, node) {
    ctx.vector('softmax', ctx.outElements, SOFTMAX_PASSES);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { outShape, vr } = ctx;
    const x = ctx.val(0);
    const axis = node.axis < 0 ? node.axis + outShape.length : node.axis;
    const len = outShape[axis];
    const inner = numel(outShape.slice(axis + 1));
    const outer = numel(outShape.slice(0, axis));
    const o = ctx.output();
    // rows along the last axis on fp32: the WebAssembly rows where they take them (the same bits)
    if (inner === 1 && vr === Math.fround && vectorRows()?.softmax(x, o, outer, len)) return o;
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) softmaxRow(x, o, a * len * inner + b, inner, len, vr);
    }
    return o;
  },
  onnx: {
    Softmax(ctx) {
      const r = ctx.rank(0);
      let axis = ctx.attrInt('axis', ctx.opset >= 13 ? -1 : 1);
      if (axis < 0) axis += r;
      if (ctx.opset < 13 && axis !== r - 1) ctx.bad(`opset ${ctx.opset} softmax over the flattened axes ${axis}.. is only supported on the last axis`);
      ctx.add({ op: 'softmax', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, axis });
    },
  },
};
