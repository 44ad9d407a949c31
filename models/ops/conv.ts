/**
 * 2-D convolution, and its binary form (XNOR-Net: sign(x) * sign(w), times a per-channel
 * scale). inputs: x [N,C,H,W], w [F,C/groups,kH,kW], bias? [F]; binary: alpha [F] after the
 * bias ('' when no bias).
 *
 * Lowering: groups 1: one ConvLayer with the node's real padding, stride and dilation (im2col
 * on the array), `repeat` = batch. Grouped (groups g): one ConvLayer of C/g channels and F/g
 * filters, `repeat` = g x batch; depthwise (g = C) is therefore one small GEMM per channel
 * (K = kH*kW, N = F/C) and its poor utilization of the array shows honestly;
 * `depthwise: 'vector'` puts depthwise convs on the vector unit instead. A binary conv adds
 * the sign of its input and the per-channel scale on the vector unit. The bias add happens at
 * the array's output (in the accumulator), free.
 *
 * Execution: im2col + GEMM per (image, group), window order k = (kh*kW + kw)*C + c (the order
 * of sim/workload/layer.ts). A binary conv takes sign(x) (sign(0) = +1) and sign(w) through
 * the binary backend, then multiplies by alpha; its borders are zero-padded like PyTorch /
 * Larq (an XNOR PE sees the padding as +1 instead).
 */
import { convLayer } from '../../sim/workload/layer.ts';
import { gemmResultBuffer, signOf, signedWeight, weightLayout } from '../exec/kernel-util.ts';
import { numel, shapeStr, tensor, windowOutput, type NodeBase } from '../graph.ts';
import type { KernelContext, OperatorDef } from './types.ts';

export interface Conv2dNode extends NodeBase {
  readonly op: 'conv2d' | 'binary_conv2d';
  readonly stride: readonly [number, number];
  /** [top, left, bottom, right] (ONNX order) */
  readonly pads: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export const CONV: OperatorDef<Conv2dNode> = {
  ops: ['conv2d', 'binary_conv2d'],
  cachedInputs: [1],
  binary: ['binary_conv2d'],

  inferShape(s, node) {
    const x = s.sh(0), w = s.sh(1);
    if (x.length !== 4) s.fail(`input must be NCHW, got ${shapeStr(x)}`);
    if (w.length !== 4) s.fail(`weight must be [F, C/groups, kH, kW], got ${shapeStr(w)}`);
    const [n, c, h, wd] = x;
    const [f, cg, kh, kw] = w;
    if (!Number.isInteger(node.groups) || node.groups < 1) s.fail(`bad groups ${node.groups}`);
    if (c % node.groups !== 0 || f % node.groups !== 0) s.fail(`channels ${c} / filters ${f} not divisible by groups ${node.groups}`);
    if (cg * node.groups !== c) {
      s.fail(`input has ${c} channels but the weight expects ${cg * node.groups} (${cg} per group x ${node.groups} groups)`);
    }
    if (s.has(2)) s.expectShape(2, [f], 'bias');
    if (node.op === 'binary_conv2d' && s.has(3)) s.expectShape(3, [f], 'scale');
    for (const v of [...node.stride, ...node.dilation]) if (!Number.isInteger(v) || v < 1) s.fail('stride and dilation must be positive integers');
    for (const v of node.pads) if (!Number.isInteger(v) || v < 0) s.fail('pads must be non-negative integers');
    const oh = windowOutput(node, h, kh, node.stride[0], node.dilation[0], node.pads[0], node.pads[2], false);
    const ow = windowOutput(node, wd, kw, node.stride[1], node.dilation[1], node.pads[1], node.pads[3], false);
    if (oh < 1 || ow < 1) s.fail('empty output');
    return [n, f, oh, ow];
  },

  macs(g, node) {
    const w = tensor(g, node.inputs[1]).shape;
    return numel(tensor(g, node.output).shape) * w[1] * w[2] * w[3];
  },

  lower(ctx, node) {
    const [n, c, h, w] = ctx.shape(node.inputs[0]);
    const [f, cg, kh, kw] = ctx.shape(node.inputs[1]);
    const gr = node.groups;
    const depthwise = gr > 1 && cg === 1;
    const binary = node.op === 'binary_conv2d';
    const [pt, pl, pb, pr] = node.pads;
    if (depthwise && ctx.options.depthwise === 'vector') {
      ctx.vector('depthwise_conv', ctx.outElements, kh * kw);
      return { mapping: 'vector', detail: `depthwise ${kh}x${kw} on the vector unit (${kh * kw} MACs per output)` };
    }
    const layer = convLayer({
      name: node.name, inH: h, inW: w, kH: kh, kW: kw, channels: cg, filters: f / gr,
      strideH: node.stride[0], strideW: node.stride[1], dilationH: node.dilation[0], dilationW: node.dilation[1],
      padding: { top: pt, left: pl, bottom: pb, right: pr },
    }, `node '${node.name}' (${node.op})`);
    ctx.array(layer, gr * n, 'gemm', binary);
    if (binary) {
      ctx.vector('sign', n * c * h * w);
      if (node.inputs[3] !== undefined && node.inputs[3] !== '') ctx.vector('mul', ctx.outElements);
    }
    const o = ctx.shape(node.output);
    const gv = `GEMM ${o[2] * o[3]}x${f / gr}x${cg * kh * kw}`;
    let detail = depthwise
      ? `depthwise: ${gv} per channel x ${gr}${n > 1 ? ` x batch ${n}` : ''}`
      : gr > 1 ? `grouped conv: ${gv} per group x ${gr}${n > 1 ? ` x batch ${n}` : ''}`
        : `conv im2col ${gv}${n > 1 ? ` x batch ${n}` : ''}`;
    if (binary) detail += ' (binary)';
    return { mapping: 'array', detail };
  },

  kernel: conv2d,

  scratchpad: { weightSlot: 1 },

  /** conv OIHW [F, C, kH, kW] -> B (K x F) with k = (kh * kW + kw) * C + c; groups 1 only */
  gemmWeights(g, node, layer) {
    if (node.groups !== 1 || layer.kind !== 'conv2d') return undefined;
    const w = g.tensors.get(node.inputs[1]);
    if (w?.data === undefined) return undefined;
    const [f, c, kh, kw] = w.shape;
    const k = c * kh * kw;
    const b = new Float32Array(k * f);
    for (let o = 0; o < f; o++) {
      for (let ci = 0; ci < c; ci++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) b[((y * kw + x) * c + ci) * f + o] = w.data[((o * c + ci) * kh + y) * kw + x];
        }
      }
    }
    return b;
  },

  onnx: {
    Conv(ctx) {
      if (ctx.rank(1) !== 4) ctx.bad(`only 2-D convolutions are supported, weight ${shapeStr(ctx.info(1).shape)}`);
      const [, , kh, kw] = ctx.info(1).shape;
      const ks = ctx.attrInts('kernel_shape');
      if (ks && (ks[0] !== kh || ks[1] !== kw)) ctx.bad(`kernel_shape ${shapeStr(ks)} differs from the weight ${shapeStr(ctx.info(1).shape)}`);
      const stride = ctx.attrInts('strides') ?? [1, 1];
      const dil = ctx.attrInts('dilations') ?? [1, 1];
      let pads = ctx.attrInts('pads') ?? [0, 0, 0, 0];
      const autoPad = ctx.attrString('auto_pad', 'NOTSET');
      if (autoPad === 'VALID') pads = [0, 0, 0, 0];
      else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        const x = ctx.info(0).shape;
        const p = [0, 1].map((a) => {
          const inS = x[2 + a], k = [kh, kw][a];
          const total = Math.max(0, (Math.ceil(inS / stride[a]) - 1) * stride[a] + dil[a] * (k - 1) + 1 - inS);
          const small = Math.floor(total / 2);
          return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
        });
        pads = [p[0][0], p[1][0], p[0][1], p[1][1]];
      } else if (autoPad !== 'NOTSET') ctx.bad(`unknown auto_pad '${autoPad}'`);
      const inputs = [ctx.input(0), ctx.input(1)];
      if (ctx.input(2) !== '') inputs.push(ctx.input(2));
      ctx.add({
        op: 'conv2d', name: ctx.name, inputs, output: ctx.out, stride: [stride[0], stride[1]],
        pads: [pads[0], pads[1], pads[2], pads[3]], dilation: [dil[0], dil[1]], groups: ctx.attrInt('group', 1),
      });
    },
  },
};

let scratch = new Float32Array(0);

/**
 * The im2col matrix's buffer, reused from call to call (backends only read A during gemm):
 * a fresh 100 KB+ array per image and layer cost the accuracy runs a large share of their
 * time in allocation and garbage collection (issue 21).
 */
let planes = new Float32Array(0);

/** cg planes of hw values from x[base] on, as hw rows of cg values (a scratch buffer). */
function channelLast(x: Float32Array, base: number, cg: number, hw: number): Float32Array {
  if (planes.length < cg * hw) planes = new Float32Array(cg * hw);
  const t = planes;
  for (let ci = 0; ci < cg; ci++) {
    const from = base + ci * hw;
    for (let p = 0; p < hw; p++) t[p * cg + ci] = x[from + p];
  }
  return t;
}

function im2colBuffer(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch.subarray(0, size);
}

function conv2d(ctx: KernelContext, node: Conv2dNode): Float32Array {
  const binary = node.op === 'binary_conv2d';
  const backend = binary ? ctx.binArray : ctx.array;
  const { vr, outShape } = ctx;
  let x = ctx.val(0), w = ctx.val(1);
  if (binary) {
    x = signOf(x);
    w = signedWeight(w);
  }
  const [nb, c, h, wd] = ctx.shp(0);
  const [f, cg, kh, kw] = ctx.shp(1);
  const [, , oh, ow] = outShape;
  const groups = node.groups, fg = f / groups;
  const [sh, sw] = node.stride, [dh, dw] = node.dilation, [pt, pl] = node.pads;
  const M = oh * ow, K = kh * kw * cg;
  const bias = ctx.has(2) ? ctx.val(2) : undefined;
  const alpha = binary && ctx.has(3) ? ctx.val(3) : undefined;
  const sa = backend.scale(x, 'input'), sb = backend.scale(w, 'weight');
  // B per group: K x fg, k = (ih*kw + iw)*cg + ci
  const bs = weightLayout(w, groups, () => {
    const list: Float32Array[] = [];
    for (let gr = 0; gr < groups; gr++) {
      const b = new Float32Array(K * fg);
      for (let fo = 0; fo < fg; fo++) {
        const wf = (gr * fg + fo) * cg * kh * kw;
        for (let ci = 0; ci < cg; ci++) {
          for (let ih = 0; ih < kh; ih++) {
            for (let iw = 0; iw < kw; iw++) b[((ih * kw + iw) * cg + ci) * fg + fo] = w[wf + (ci * kh + ih) * kw + iw];
          }
        }
      }
      list.push(b);
    }
    return list;
  });
  const out = ctx.output();
  const a = im2colBuffer(M * K);
  const hw = h * wd;
  for (let n = 0; n < nb; n++) {
    for (let gr = 0; gr < groups; gr++) {
      a.fill(0);
      const xBase = (n * c + gr * cg) * hw;
      // the group's input channel-last first (one pass over it), so that each window tap
      // copies cg contiguous values instead of reading cg planes hw apart
      const xt = channelLast(x, xBase, cg, hw);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const row = (oy * ow + ox) * K;
          for (let ih = 0; ih < kh; ih++) {
            const y = oy * sh + ih * dh - pt;
            if (y < 0 || y >= h) continue;
            for (let iw = 0; iw < kw; iw++) {
              const xx = ox * sw + iw * dw - pl;
              if (xx < 0 || xx >= wd) continue;
              const col = row + (ih * kw + iw) * cg;
              const src = (y * wd + xx) * cg;
              for (let ci = 0; ci < cg; ci++) a[col + ci] = xt[src + ci];
            }
          }
        }
      }
      const cm = backend.gemm(a, bs[gr], M, fg, K, sa, sb, gemmResultBuffer(M * fg));
      for (let fo = 0; fo < fg; fo++) {
        const ch = gr * fg + fo;
        const dst = (n * f + ch) * M;
        const al = alpha ? alpha[ch] : 1, bi = bias ? bias[ch] : 0;
        if (!alpha && vr === Math.fround) {
          // fp32 vector unit (the usual case): the same roundings, without a call per element
          if (bias) for (let m = 0; m < M; m++) out[dst + m] = Math.fround(Math.fround(cm[m * fg + fo]) + bi);
          else for (let m = 0; m < M; m++) out[dst + m] = Math.fround(cm[m * fg + fo]);
          continue;
        }
        for (let m = 0; m < M; m++) {
          let v = Math.fround(cm[m * fg + fo]);
          if (alpha) v = vr(v * al);
          if (bias) v = vr(v + bi);
          out[dst + m] = v;
        }
      }
    }
  }
  return out;
}
