/**
 * Multi-head scaled dot-product attention on projected q, k, v: q [B, Sq, H*dh], k and v
 * [B, Skv, Hkv*dh] (Hkv divides H: grouped-query attention). Causal: query i sees keys
 * j <= Skv - Sq + i (a KV cache of Skv - Sq earlier tokens).
 *
 * Lowering: Q K^T (M = Sq, N = Skv, K = dh) and A V (M = Sq, N = dh, K = Skv), each
 * `repeat` = B x heads, plus the score scale + mask + softmax on the vector unit.
 * Execution: both GEMMs on the attention arithmetic (`attentionArray`), the softmax in the
 * vector format.
 */
import { gemmLayer } from '../../sim/workload/layer.ts';
import { softmaxRow } from '../exec/kernel-util.ts';
import { causalBlockValues, columnScales, foldKeyScales, rowScales, scalesByData } from '../exec/token-scales.ts';
import { shapeStr, tensor, type NodeBase } from '../graph.ts';
import { SOFTMAX_PASSES } from './softmax.ts';
import type { KernelContext, OperatorDef } from './types.ts';

export interface AttentionNode extends NodeBase {
  readonly op: 'attention';
  readonly heads: number;
  readonly kvHeads: number;
  readonly causal: boolean;
  /** score scale, usually 1/sqrt(dh) */
  readonly scale: number;
}

export const ATTENTION: OperatorDef<AttentionNode> = {
  ops: ['attention'],

  inferShape(s, node) {
    const q = s.sh(0), k = s.sh(1), v = s.sh(2);
    if (q.length !== 3 || k.length !== 3 || v.length !== 3) s.fail('q, k, v must be [B, S, D]');
    if (k[0] !== q[0] || v[0] !== q[0]) s.fail(`batch sizes differ: ${shapeStr(q)}, ${shapeStr(k)}, ${shapeStr(v)}`);
    if (k[1] !== v[1] || k[2] !== v[2]) s.fail(`k ${shapeStr(k)} and v ${shapeStr(v)} differ`);
    if (node.heads < 1 || q[2] % node.heads !== 0) s.fail(`width ${q[2]} not divisible by ${node.heads} heads`);
    if (node.kvHeads < 1 || node.heads % node.kvHeads !== 0) s.fail(`${node.heads} heads not divisible by ${node.kvHeads} kv heads`);
    const dh = q[2] / node.heads;
    if (k[2] !== dh * node.kvHeads) s.fail(`k/v width ${k[2]} != ${node.kvHeads} kv heads x head size ${dh}`);
    if (node.causal && k[1] < q[1]) s.fail(`causal attention needs at least as many keys (${k[1]}) as queries (${q[1]})`);
    return [...q];
  },

  macs(g, node) {
    const q = tensor(g, node.inputs[0]).shape, k = tensor(g, node.inputs[1]).shape;
    // Q K^T: B*H*Sq*Skv*dh, A V: the same
    return 2 * q[0] * q[1] * k[1] * q[2];
  },

  lower(ctx, node) {
    const q = ctx.shape(node.inputs[0]), k = ctx.shape(node.inputs[1]);
    const [b, sq, d] = q;
    const skv = k[1];
    const dh = d / node.heads;
    const rep = b * node.heads;
    ctx.array(gemmLayer(`${node.name}/qk`, sq, skv, dh, `node '${node.name}'`), rep, 'qk');
    ctx.vector('softmax', rep * sq * skv, SOFTMAX_PASSES + 1 + (node.causal ? 1 : 0)); // + scale (+ mask)
    ctx.array(gemmLayer(`${node.name}/av`, sq, dh, skv, `node '${node.name}'`), rep, 'av');
    return {
      mapping: 'array',
      detail: `attention ${node.heads} heads${node.kvHeads !== node.heads ? ` (${node.kvHeads} kv)` : ''}: ` +
        `Q.K^T GEMM ${sq}x${skv}x${dh} x ${rep}, softmax ${rep * sq * skv} on vector, A.V GEMM ${sq}x${dh}x${skv} x ${rep}`,
    };
  },

  kernel: attention,
};

function attention(ctx: KernelContext, node: AttentionNode): Float32Array {
  const q = ctx.val(0), k = ctx.val(1), v = ctx.val(2);
  const vr = ctx.vr;
  const [b, sq, d] = ctx.shp(0);
  const ks = ctx.shp(1);
  const skv = ks[1], dkv = ks[2];
  const H = node.heads, dh = d / H, group = H / node.kvHeads;
  const past = skv - sq;
  const arr = ctx.attnArray;
  const sq_ = arr.scale(q, 'input'), sk = arr.scale(k, 'weight'), sv = arr.scale(v, 'weight');
  const perToken = ctx.tokenScales && scalesByData(arr);
  // block formats per token (exec/token-scales.ts): tensor scales per query and key, each query's values over the keys it reads
  const blocks = ctx.tokenScales && arr.blockSize !== undefined;
  const use = { once: true, tokens: blocks };
  const out = new Float32Array(b * sq * d);
  const qh = new Float32Array(sq * dh);
  const p = new Float32Array(sq * skv);
  for (let bb = 0; bb < b; bb++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / group);
      // K^T and V are the GEMMs' B: arrays of their own per head, as backends cache a B's
      // quantized layout by the array (a refilled one would read the first head's)
      const kt = new Float32Array(dh * skv), vh = new Float32Array(skv * dh);
      for (let i = 0; i < sq; i++) for (let e = 0; e < dh; e++) qh[i * dh + e] = q[(bb * sq + i) * d + h * dh + e];
      for (let j = 0; j < skv; j++) {
        for (let e = 0; e < dh; e++) {
          const src = (bb * skv + j) * dkv + kvh * dh + e;
          kt[e * skv + j] = k[src];
          vh[j * dh + e] = v[src];
        }
      }
      // per token (a language model, exec/token-scales.ts): Q per query, K per key
      const s = perToken
        ? arr.gemm(qh, kt, sq, skv, dh, rowScales(arr, qh, sq, dh), columnScales(arr, kt, dh, skv), undefined, use)
        : arr.gemm(qh, kt, sq, skv, dh, sq_, sk, undefined, use);
      for (let i = 0; i < sq; i++) {
        for (let j = 0; j < skv; j++) {
          p[i * skv + j] = node.causal && j > past + i ? -Infinity : vr(Math.fround(s[i * skv + j]) * node.scale);
        }
        softmaxRow(p, p, i * skv, 1, skv, vr);
      }
      let o: Float64Array;
      if (perToken) {
        // V per key, folded into the weights, which are then scaled per query
        const folded = foldKeyScales(arr, p, vh, sq, skv, dh, vr);
        const pa = folded?.a ?? p;
        o = arr.gemm(pa, folded?.v ?? vh, sq, dh, skv, rowScales(arr, pa, sq, skv), 1, undefined, use);
      } else o = (blocks && causalBlockValues(arr, p, vh, sq, skv, dh)) || arr.gemm(p, vh, sq, dh, skv, arr.scale(p, 'input'), sv, undefined, use);
      for (let i = 0; i < sq; i++) for (let e = 0; e < dh; e++) out[(bb * sq + i) * d + h * dh + e] = o[i * dh + e];
    }
  }
  return out;
}
