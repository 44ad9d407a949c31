/**
 * Where(condition, x, y): x where the condition is true, else y, with numpy broadcasting of all
 * three. With every input a constant the importer folds it (const-eval.ts); this operator is
 * the run-time select, as in a causal language model's masked attention scores
 * (`masked_fill(future, -inf)` exports as Where(future, -inf, scores)). On the vector unit, one
 * pass; a select rounds nothing (each value is one of its inputs' fp32 values).
 */
import { broadcastPlan } from '../exec/kernel-util.ts';
import { broadcastShapes, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';
import { vectorRows } from '../exec/wasm/vector-rows.ts';

export interface WhereNode extends NodeBase {
  readonly op: 'where';
}

export const WHERE: OperatorDef<WhereNode> = {
  ops: ['where'],
  inferShape: (s, node) => broadcastShapes(node, s.sh(0), broadcastShapes(node, s.sh(1), s.sh(2))),
  lower(ctx) {
    ctx.vector('where', ctx.outElements);
    return { mapping: 'vector', detail: 'select on the vector unit' };
  },
  kernel(ctx) {
    const c = ctx.val(0), x = ctx.val(1), y = ctx.val(2);
    const plan = broadcastPlan(ctx.outShape, [ctx.shp(0), ctx.shp(1), ctx.shp(2)]);
    const { outer, len, bases: [cb, xb, yb], steps: [cs, xs, ys] } = plan;
    const o = ctx.output();
    if (vectorRows()?.where(c, x, y, plan, o)) return o;
    for (let r = 0, q = 0; r < outer; r++) {
      for (let j = 0, ic = cb[r], ix = xb[r], iy = yb[r]; j < len; j++, ic += cs, ix += xs, iy += ys) o[q++] = c[ic] !== 0 ? x[ix] : y[iy];
    }
    return o;
  },
  onnx: {
    Where(ctx) {
      ctx.add({ op: 'where', name: ctx.name, inputs: [ctx.input(0), ctx.input(1), ctx.input(2)], output: ctx.out });
    },
  },
};
