/** Transpose (a permutation of the axes): every element moves once through the vector unit. */
import { cachedStridedOffsets, strides } from '../exec/kernel-util.ts';
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
    // output element e reads the input at the permuted strides
    const off = cachedStridedOffsets(ctx.outShape, node.perm.map((p) => inStr[p]));
    const o = ctx.output();
    for (let e = 0; e < ctx.outN; e++) o[e] = x[off[e]];
    return o;
  },
  onnx: {
    Transpose(ctx) {
      const perm = ctx.attrInts('perm') ?? Array.from({ length: ctx.rank(0) }, (_, i) => ctx.rank(0) - 1 - i);
      ctx.add({ op: 'transpose', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, perm });
    },
  },
};
