/**
 * Matrix product of two tensors with numpy batch broadcasting. inputs: a [..., M, K],
 * b [..., K, N]. Lowering: one GEMM per batch element (`repeat` = the broadcast batch size).
 * Execution: a matmul whose B is an activation (no weights: Q K^T and A V of an exported
 * transformer) runs on the attention arithmetic (`attentionArray`). With per-token scales (a
 * causal language model) the operands are scaled as models/exec/token-scales.ts says (block
 * formats: each query's values over the keys up to its position).
 */
import { gemmLayer } from '../../sim/workload/layer.ts';
import { broadcastOffsets, gemmResultBuffer } from '../exec/kernel-util.ts';
import { broadcastShapes, numel, shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';
import type { OperandScale } from '../exec/backends.ts';
import { causalBlockValues, columnScales, foldKeyScales, multipliesAttentionWeights, rowScales, scalesByData } from '../exec/token-scales.ts';
import { readColumns } from '../exec/read-columns.ts';

export interface MatMulNode extends NodeBase {
  readonly op: 'matmul';
}

export const MATMUL: OperatorDef<MatMulNode> = {
  ops: ['matmul'],

  inferShape(s, node) {
    const a = s.sh(0), b = s.sh(1);
    if (a.length < 2 || b.length < 2) s.fail(`operands must have rank >= 2, got ${shapeStr(a)} x ${shapeStr(b)}`);
    const k = a[a.length - 1];
    if (b[b.length - 2] !== k) s.fail(`inner dimensions differ: ${shapeStr(a)} x ${shapeStr(b)}`);
    const batch = broadcastShapes(node, a.slice(0, -2), b.slice(0, -2));
    return [...batch, a[a.length - 2], b[b.length - 1]];
  },

  macs(g, node) {
    const a = tensor(g, node.inputs[0]).shape;
    return numel(tensor(g, node.output).shape) * a[a.length - 1];
  },

  lower(ctx, node) {
    const a = ctx.shape(node.inputs[0]);
    const o = ctx.shape(node.output);
    const m = o[o.length - 2], nOut = o[o.length - 1], k = a[a.length - 1];
    const rep = numel(o.slice(0, -2));
    ctx.array(gemmLayer(node.name, m, nOut, k, `node '${node.name}'`), rep, 'gemm');
    return { mapping: 'array', detail: `GEMM ${m}x${nOut}x${k}${rep > 1 ? ` x ${rep} (batched)` : ''}` };
  },

  kernel(ctx, node) {
    const a = ctx.val(0), b = ctx.val(1);
    const as = ctx.shp(0), bs = ctx.shp(1);
    const m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
    const batchShape = ctx.outShape.slice(0, -2);
    const nb = numel(batchShape);
    const aOff = broadcastOffsets(batchShape, as.slice(0, -2));
    const bOff = broadcastOffsets(batchShape, bs.slice(0, -2));
    // both operands activations (no weights): an attention matmul
    const bIsWeight = tensor(ctx.g, node.inputs[1]).data !== undefined;
    const backend = bIsWeight ? ctx.array : ctx.attnArray;
    // scores a causal mask throws away (read-columns.ts): a backend may skip them
    const cols = ctx.skipUnread && !bIsWeight ? readColumns(ctx.g, node) : undefined;
    const o = ctx.output();
    if (ctx.tokenScales && backend.blockSize !== undefined) {
      // block formats per token (models/exec/token-scales.ts): each query reads V up to its own position
      const values = !bIsWeight && multipliesAttentionWeights(ctx.g, node);
      const use = { once: !bIsWeight, tokens: true };
      for (let i = 0; i < nb; i++) {
        const ab = a.subarray(aOff[i] * m * k, (aOff[i] + 1) * m * k);
        const bb = b.subarray(bOff[i] * k * n, (bOff[i] + 1) * k * n);
        const buf = gemmResultBuffer(m * n);
        o.set((values && causalBlockValues(backend, ab, bb, m, k, n, buf)) || backend.gemm(ab, bb, m, n, k, 1, 1, buf, use), i * m * n);
      }
      return o;
    }
    if (ctx.tokenScales && scalesByData(backend)) {
      // per token (models/exec/token-scales.ts): A per row; B per tensor (weights), per key
      // folded into A (attention weights times values) or per column (keys of Q K^T)
      const values = !bIsWeight && multipliesAttentionWeights(ctx.g, node);
      const sw = bIsWeight ? backend.scale(b, 'weight') : 1;
      for (let i = 0; i < nb; i++) {
        let ab = a.subarray(aOff[i] * m * k, (aOff[i] + 1) * m * k);
        let bb = b.subarray(bOff[i] * k * n, (bOff[i] + 1) * k * n);
        let sb: OperandScale = sw;
        if (values) {
          const folded = foldKeyScales(backend, ab, bb, m, k, n, ctx.vr);
          if (folded) ({ a: ab, v: bb } = folded);
        } else if (!bIsWeight) sb = columnScales(backend, bb, k, n);
        o.set(backend.gemm(ab, bb, m, n, k, rowScales(backend, ab, m, k), sb, gemmResultBuffer(m * n), { once: !bIsWeight, cols }), i * m * n);
      }
      return unreadZero(o, cols, m, n);
    }
    const sa = backend.scale(a, 'input'), sb = backend.scale(b, 'weight');
    for (let i = 0; i < nb; i++) {
      const ab = a.subarray(aOff[i] * m * k, (aOff[i] + 1) * m * k);
      const bb = b.subarray(bOff[i] * k * n, (bOff[i] + 1) * k * n);
      const use = { once: !bIsWeight, cols };
      // fp32 results straight into the output where the backend gives them so
      if (!backend.gemmFp32?.(ab, bb, m, n, k, sa, sb, o.subarray(i * m * n, (i + 1) * m * n), use)) o.set(backend.gemm(ab, bb, m, n, k, sa, sb, gemmResultBuffer(m * n), use), i * m * n);
    }
    return unreadZero(o, cols, m, n);
  },
};

/** The outputs nothing reads set to +0 whichever backend ran (some compute them, some do not). */
function unreadZero(o: Float32Array, cols: Int32Array | undefined, m: number, n: number): Float32Array {
  if (!cols) return o;
  for (let at = 0; at < o.length; at += m * n) {
    for (let i = 0; i < m; i++) o.fill(0, at + i * n + cols[i], at + (i + 1) * n);
  }
  return o;
}
