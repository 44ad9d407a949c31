/**
 * Fully connected layer, and its binary form: y = x W^T + b. inputs: x [..., K], w [N, K],
 * bias? [N]; binary: alpha [N] after the bias ('' when no bias).
 *
 * Lowering: one GEMM, M = all leading dims, N = out, K = in (binary: plus the sign of the
 * input and the per-channel scale on the vector unit). The bias add is free (in the
 * accumulator). ONNX: Gemm and MatMul with a 2-D initializer as B import as `linear` (the
 * weight stored [N, K], transposed from B where needed); with an activation as B they import
 * as `matmul` (matmul.ts).
 */
import { gemmLayer } from '../../sim/workload/layer.ts';
import { gemmResultBuffer, signOf, signedWeight, weightLayout } from '../exec/kernel-util.ts';
import { rowScales, scalesByData } from '../exec/token-scales.ts';
import { numel, shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { OperatorDef } from './types.ts';
import type { GemmUse } from '../exec/backends.ts';

/** a language model's GEMM (exec/backends.ts GemmUse) */
const TOKENS: GemmUse = { tokens: true };

export interface LinearNode extends NodeBase {
  readonly op: 'linear' | 'binary_linear';
}

export const LINEAR: OperatorDef<LinearNode> = {
  ops: ['linear', 'binary_linear'],
  cachedInputs: [1],
  binary: ['binary_linear'],

  inferShape(s, node) {
    const x = s.sh(0), w = s.sh(1);
    if (w.length !== 2) s.fail(`weight must be [N, K], got ${shapeStr(w)}`);
    if (x.length < 1 || x[x.length - 1] !== w[1]) {
      s.fail(`input ${shapeStr(x)} has ${x[x.length - 1]} features, the weight ${shapeStr(w)} expects ${w[1]}`);
    }
    if (s.has(2)) s.expectShape(2, [w[0]], 'bias');
    if (node.op === 'binary_linear' && s.has(3)) s.expectShape(3, [w[0]], 'scale');
    return [...x.slice(0, -1), w[0]];
  },

  macs: (g, node) => numel(tensor(g, node.output).shape) * tensor(g, node.inputs[1]).shape[1],

  lower(ctx, node) {
    const x = ctx.shape(node.inputs[0]);
    const [nOut, k] = ctx.shape(node.inputs[1]);
    const m = numel(x) / k;
    const binary = node.op === 'binary_linear';
    ctx.array(gemmLayer(node.name, m, nOut, k, `node '${node.name}'`), 1, 'gemm', binary);
    if (binary) {
      ctx.vector('sign', numel(x));
      if (node.inputs[3] !== undefined && node.inputs[3] !== '') ctx.vector('mul', ctx.outElements);
    }
    return { mapping: 'array', detail: `GEMM ${m}x${nOut}x${k}${binary ? ' (binary)' : ''}` };
  },

  kernel(ctx, node) {
    const binary = node.op === 'binary_linear';
    let x = ctx.val(0), w = ctx.val(1);
    const [nOut, k] = ctx.shp(1);
    const rows = x.length / k;
    if (binary) {
      x = signOf(x);
      w = signedWeight(w);
    }
    const backend = binary ? ctx.binArray : ctx.array;
    const bt = weightLayout(w, 0, () => {
      const t = new Float32Array(k * nOut);
      for (let j = 0; j < nOut; j++) for (let p = 0; p < k; p++) t[p * nOut + j] = w[j * k + p];
      return [t];
    })[0];
    const sx = ctx.tokenScales && scalesByData(backend) ? rowScales(backend, x, rows, k) : backend.scale(x, 'input');
    const sw = backend.scale(w, 'weight');
    const bias = ctx.has(2) ? ctx.val(2) : undefined;
    const alpha = binary && ctx.has(3) ? ctx.val(3) : undefined;
    const o = ctx.output();
    // fp32 results straight into the output where the backend gives them so, the bias added as
    // the vector unit adds it (fp32: each sum a binary32 addition)
    const use = bias ? { ...(ctx.tokenScales && TOKENS), bias } : ctx.tokenScales ? TOKENS : undefined;
    if (!alpha && (!bias || ctx.vr === Math.fround) && backend.gemmFp32?.(x, bt, rows, nOut, k, sx, sw, o, use)) return o;
    // block formats per token: NVFP4's tensor scale per row (models/exec/token-scales.ts)
    const c = backend.gemm(x, bt, rows, nOut, k, sx, sw, gemmResultBuffer(rows * nOut), ctx.tokenScales ? TOKENS : undefined);
    // fp32 outputs alone: a typed-array copy rounds each to fp32 as Math.fround does
    if (!alpha && !bias) {
      o.set(c.subarray(0, rows * nOut));
      return o;
    }
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < nOut; j++) {
        let v = Math.fround(c[r * nOut + j]);
        if (alpha) v = ctx.vr(v * alpha[j]);
        if (bias) v = ctx.vr(v + bias[j]);
        o[r * nOut + j] = v;
      }
    }
    return o;
  },

  scratchpad: { weightSlot: 1 },

  /** linear [N, K] -> B (K x N) */
  gemmWeights(g, node) {
    const w = g.tensors.get(node.inputs[1]);
    if (w?.data === undefined) return undefined;
    const [n, k] = w.shape;
    const b = new Float32Array(k * n);
    for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) b[i * n + o] = w.data[o * k + i];
    return b;
  },

  onnx: {
    Gemm(ctx) {
      if (ctx.attrInt('transA', 0) !== 0) ctx.bad('transA = 1 is not supported');
      if (ctx.attrFloat('alpha', 1) !== 1 || ctx.attrFloat('beta', 1) !== 1) ctx.bad('alpha and beta other than 1 are not supported');
      const transB = ctx.attrInt('transB', 0) === 1;
      let bias = ctx.input(2);
      if (bias !== '' && ctx.isWeight(1)) {
        const b = ctx.info(2);
        const nOut = transB ? ctx.info(1).shape[0] : ctx.info(1).shape[1];
        if (numel(b.shape) === nOut && b.shape.length !== 1 && b.data) bias = ctx.derivedTensor(`${b.name}__flat`, [nOut], b.data);
      }
      if (ctx.isWeight(1)) {
        const w = transB ? ctx.input(1) : ctx.transposedWeight(ctx.info(1));
        ctx.add({ op: 'linear', name: ctx.name, inputs: bias === '' ? [ctx.input(0), w] : [ctx.input(0), w, bias], output: ctx.out });
        return;
      }
      let b = ctx.input(1);
      if (transB) b = ctx.add({ op: 'transpose', name: `${ctx.name}/transB`, inputs: [b], output: `${ctx.out}__transB`, perm: [1, 0] }).name;
      if (bias === '') {
        ctx.add({ op: 'matmul', name: ctx.name, inputs: [ctx.input(0), b], output: ctx.out });
      } else {
        const mm = ctx.add({ op: 'matmul', name: `${ctx.name}/matmul`, inputs: [ctx.input(0), b], output: `${ctx.out}__mm` }).name;
        ctx.add({ op: 'add', name: ctx.name, inputs: [mm, bias], output: ctx.out });
      }
    },
    MatMul(ctx) {
      if (ctx.isWeight(1) && ctx.rank(0) >= 1) ctx.add({ op: 'linear', name: ctx.name, inputs: [ctx.input(0), ctx.transposedWeight(ctx.info(1))], output: ctx.out });
      else ctx.add({ op: 'matmul', name: ctx.name, inputs: [ctx.input(0), ctx.input(1)], output: ctx.out });
    },
  },
};
