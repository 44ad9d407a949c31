/** Transpose (a permutation of the axes): every element moves once through the vector unit. */
import { cachedStridedOffsets, strides } from '../exec/kernel-util.ts';
import { vectorRows } from '../exec/wasm/vector-rows.ts';
import { shapeStr, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export interface TransposeNode extends NodeBase {
  readonly op: 'transpose';
  readonly perm: readonly number[];
}

export const TRANSPOSE: OperatorDef<TransposeNode> = {
  ops: ['transpose'],
  inferShape(s, node) {
    const x = s.sh(0);
    const p = node.perm;
    if (p.length !== x.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
      s.fail(`perm ${shapeStr(p)} is not a permutation of rank ${x.length}`);
    }
    return p.map((i) => x[i]);
  },
  lower(ctx, node) {
    ctx.vector('transpose', ctx.outElements, 1);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const x = ctx.val(0);
    const inStr = strides(ctx.shp(0));
    const stride = node.perm.map((p) => inStr[p]);
    const o = ctx.output();
    const r = ctx.outShape.length;
    if (r === 0) {
      o[0] = x[0];
      return o;
    }
    // output row by output row (all axes but the last): a row reads the input at the last axis's
    // permuted stride, a contiguous run where that axis stays last (a head split's rows of 32)
    const last = ctx.outShape[r - 1], step = stride[r - 1];
    const rowAt = cachedStridedOffsets(ctx.outShape.slice(0, -1), stride.slice(0, -1));
    if (vectorRows()?.gatherRows(x, rowAt, last, step, o)) return o;
    let e = 0;
    for (let row = 0; row < rowAt.length; row++) {
      const base = rowAt[row];
      if (step === 1) for (let c = 0; c < last; c++) o[e++] = x[base + c];
      else for (let c = 0; c < last; c++) o[e++] = x[base + c * step];
    }
    return o;
  },
  onnx: {
    Transpose(ctx) {
      const perm = ctx.attrInts('perm') ?? Array.from({ length: ctx.rank(0) }, (_, i) => ctx.rank(0) - 1 - i);
      ctx.add({ op: 'transpose', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, perm });
    },
  },
};
