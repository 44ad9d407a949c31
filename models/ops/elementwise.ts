/** Element-wise add, sub, mul, div with numpy broadcasting; on the vector unit. */
import { broadcastOffsets, sameShape } from '../exec/kernel-util.ts';
import { broadcastShapes, type NodeBase } from '../graph.ts';
import type { OnnxContext, OperatorDef } from './types.ts';

export interface BinaryNode extends NodeBase {
  readonly op: 'add' | 'sub' | 'mul' | 'div';
}

const importer = (op: BinaryNode['op']) => (ctx: OnnxContext) =>
  ctx.add({ op, name: ctx.name, inputs: [ctx.input(0), ctx.input(1)], output: ctx.out });

export const ELEMENTWISE: OperatorDef<BinaryNode> = {
  ops: ['add', 'sub', 'mul', 'div'],
  inferShape: (s, node) => broadcastShapes(node, s.sh(0), s.sh(1)),
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { outShape, outN, vr } = ctx;
    const a = ctx.val(0), b = ctx.val(1);
    const f = node.op === 'add' ? (x: number, y: number) => x + y
      : node.op === 'sub' ? (x: number, y: number) => x - y
        : node.op === 'mul' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y;
    const o = new Float32Array(outN);
    const as = ctx.shp(0), bs = ctx.shp(1);
    if (sameShape(as, outShape) && sameShape(bs, outShape)) {
      for (let i = 0; i < outN; i++) o[i] = vr(f(a[i], b[i]));
    } else {
      const ao = sameShape(as, outShape) ? undefined : broadcastOffsets(outShape, as);
      const bo = sameShape(bs, outShape) ? undefined : broadcastOffsets(outShape, bs);
      for (let i = 0; i < outN; i++) o[i] = vr(f(a[ao ? ao[i] : i], b[bo ? bo[i] : i]));
    }
    return o;
  },
  onnx: { Add: importer('add'), Sub: importer('sub'), Mul: importer('mul'), Div: importer('div') },
};
