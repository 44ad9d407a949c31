/**
 * Embedding lookup: inputs table [V, D], ids [...] -> [..., D]; one pass per output element
 * on the vector unit. The network scheduler loads only the rows it reads (ids x D). ONNX:
 * Gather of a 2-D constant along axis 0 with computed ids (gather.ts imports every Gather).
 */
import { InputError } from '../../sim/errors.ts';
import { numel, shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';

export interface EmbeddingNode extends NodeBase {
  readonly op: 'embedding';
}

export const EMBEDDING: OperatorDef<EmbeddingNode> = {
  ops: ['embedding'],
  inferShape(s) {
    const t = s.sh(0), ids = s.sh(1);
    if (t.length !== 2) s.fail(`table must be [V, D], got ${shapeStr(t)}`);
    return [...ids, t[1]];
  },
  lower(ctx, node) {
    ctx.vector('embedding', ctx.outElements, 1);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const table = ctx.val(0), ids = ctx.val(1);
    const [vocab, d] = ctx.shp(0);
    const o = new Float32Array(ctx.outN);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new InputError(`node '${node.name}': token id ${id} outside [0, ${vocab})`);
      o.set(table.subarray(id * d, (id + 1) * d), i * d);
    }
    return o;
  },
  scratchpad: {
    // a gather reads ids x width of the table
    partialRead(g, node, slot) {
      if (slot !== 0) return undefined;
      const ids = numel(tensor(g, node.inputs[1]).shape);
      const [v, d] = tensor(g, node.inputs[0]).shape;
      return Math.min(v, ids) * d;
    },
  },
};
