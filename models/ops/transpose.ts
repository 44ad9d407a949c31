/** Transpose (a permutation of the axes): every element moves once through the vector unit. */
import { strides } from '../exec/kernel-util.ts';
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
    const { outShape, outN } = ctx;
    const x = ctx.val(0);
    const inStr = strides(ctx.shp(0));
    const ps = node.perm.map((p) => inStr[p]);
    const o = new Float32Array(outN);
    const r = outShape.length;
    const idx = new Array<number>(r).fill(0);
    let off = 0;
    for (let e = 0; e < outN; e++) {
      o[e] = x[off];
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        off += ps[d];
        if (idx[d] < outShape[d]) break;
        off -= ps[d] * outShape[d];
        idx[d] = 0;
      }
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
