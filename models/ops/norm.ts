/**
 * Normalizations: layer norm and RMS norm over the trailing axes from `axis` (default: the
 * last; inputs x, gamma, beta?; rmsnorm x, gamma; gamma and beta hold one value per normalized
 * element), on the vector unit in 5 and 3 passes; batch norm (inputs x [N, C, ...], gamma,
 * beta, mean, var), 2 passes, or merged into the conv before it (models/merge-batchnorm.ts),
 * where it costs nothing.
 */
import { numel, shapeStr, type NodeBase } from '../graph.ts';
import { vectorRows } from '../exec/wasm/vector-rows.ts';
import type { OperatorDef } from './types.ts';

export interface NormNode extends NodeBase {
  readonly op: 'layernorm' | 'rmsnorm';
  readonly eps: number;
  /** first normalized axis (non-negative; default: the last axis) */
  readonly axis?: number;
}

/** elements normalized together: the trailing axes from `axis` */
function normSize(x: readonly number[], node: NormNode): number {
  return numel(x.slice(node.axis ?? x.length - 1));
}

export interface BatchNormNode extends NodeBase {
  readonly op: 'batchnorm';
  readonly eps: number;
}

const PASSES = { layernorm: 5, rmsnorm: 3, batchnorm: 2 } as const;

export const NORM: OperatorDef<NormNode> = {
  ops: ['layernorm', 'rmsnorm'],
  inferShape(s, node) {
    const x = s.sh(0);
    if (node.axis !== undefined && (node.axis < 0 || node.axis >= x.length)) s.fail(`axis ${node.axis} out of range for ${shapeStr(x)}`);
    const d = normSize(x, node);
    const check = (i: number, what: string) => {
      if (numel(s.sh(i)) !== d) s.fail(`${what} '${node.inputs[i]}' has shape ${shapeStr(s.sh(i))}, expected ${d} values`);
    };
    check(1, 'gamma');
    if (s.has(2)) check(2, 'beta');
    return [...x];
  },
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements, PASSES[node.op]);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { outShape, outN, vr } = ctx;
    const x = ctx.val(0), gamma = ctx.val(1);
    const beta = node.op === 'layernorm' && ctx.has(2) ? ctx.val(2) : undefined;
    const d = normSize(outShape, node);
    const o = ctx.output();
    // fp32 results: the WebAssembly rows, the same operations (two rows' sums at a time)
    if (vr === Math.fround && vectorRows()?.norm(x, gamma, beta, o, outN / d, d, node.op === 'layernorm', node.eps)) return o;
    for (let r = 0; r < outN / d; r++) {
      const base = r * d;
      let mean = 0;
      if (node.op === 'layernorm') {
        for (let i = 0; i < d; i++) mean += x[base + i];
        mean = vr(mean / d);
      }
      let v = 0;
      for (let i = 0; i < d; i++) {
        const c = x[base + i] - mean;
        v += c * c;
      }
      const inv = vr(1 / Math.sqrt(vr(v / d) + node.eps));
      for (let i = 0; i < d; i++) {
        let y = vr(vr(x[base + i] - mean) * inv);
        y = vr(y * gamma[i]);
        if (beta) y = vr(y + beta[i]);
        o[base + i] = y;
      }
    }
    return o;
  },
  onnx: {
    LayerNormalization(ctx) {
      const r = ctx.rank(0);
      const a = ctx.attrInt('axis', -1);
      const axis = a < 0 ? a + r : a;
      if (axis < 0 || axis >= r) ctx.bad(`axis ${a} out of range for rank ${r}`);
      if (ctx.attrInt('stash_type', 1) !== 1) ctx.bad('only stash_type 1 (fp32 statistics) is supported');
      if (ctx.outputs.length > 1 && ctx.outputs.slice(1).some((o) => o !== '')) ctx.bad('mean / inv-std outputs are not supported');
      const inputs = [ctx.input(0), ctx.input(1)];
      if (ctx.input(2) !== '') inputs.push(ctx.input(2));
      ctx.add({ op: 'layernorm', name: ctx.name, inputs, output: ctx.out, eps: ctx.attrFloat('epsilon', 1e-5), ...(axis !== r - 1 && { axis }) });
    },
  },
};

export const BATCHNORM: OperatorDef<BatchNormNode> = {
  ops: ['batchnorm'],
  inferShape(s) {
    const x = s.sh(0);
    if (x.length < 2) s.fail(`input must be [N, C, ...], got ${shapeStr(x)}`);
    for (let i = 1; i <= 4; i++) s.expectShape(i, [x[1]], ['', 'gamma', 'beta', 'mean', 'var'][i]);
    return [...x];
  },
  lower(ctx, node) {
    const into = ctx.merged.get(node.name);
    if (into !== undefined) return { mapping: 'folded', detail: `folded into ${into}` };
    ctx.vector('batchnorm', ctx.outElements, PASSES.batchnorm);
    return { mapping: 'vector', detail: 'scale and shift on the vector unit' };
  },
  kernel(ctx, node) {
    const { outShape, outN, vr } = ctx;
    const x = ctx.val(0), gamma = ctx.val(1), beta = ctx.val(2), mean = ctx.val(3), variance = ctx.val(4);
    const c = outShape[1];
    const inner = numel(outShape.slice(2));
    const o = new Float32Array(outN);
    for (let ch = 0; ch < c; ch++) {
      const s = Math.fround(gamma[ch] / Math.sqrt(variance[ch] + node.eps));
      const t = Math.fround(beta[ch] - mean[ch] * s);
      for (let n = 0; n < outShape[0]; n++) {
        const base = (n * c + ch) * inner;
        for (let i = 0; i < inner; i++) o[base + i] = vr(vr(x[base + i] * s) + t);
      }
    }
    return o;
  },
  onnx: {
    BatchNormalization(ctx) {
      if (ctx.outputs.length > 1 && ctx.outputs.slice(1).some((o) => o !== '')) ctx.bad('training-mode outputs are not supported');
      for (const i of [3, 4]) {
        const t = ctx.info(i);
        if (t.role === 'param') ctx.g.tensors.set(t.name, { ...t, role: 'buffer' });
      }
      ctx.add({ op: 'batchnorm', name: ctx.name, inputs: [0, 1, 2, 3, 4].map((i) => ctx.input(i)), output: ctx.out, eps: ctx.attrFloat('epsilon', 1e-5) });
    },
  },
};
