/**
 * Functional execution of a graph with weights: array-class nodes (conv, linear, matmul,
 * attention's two GEMMs) through an ArrayBackend (the fp32 reference or a PE kind), every
 * other node in the vector format (fp32 by default: each elementary result rounded with
 * Math.fround; another float format rounds through the codec after each operation).
 *
 * Tensors are Float32Arrays, row-major, NCHW for images. Convolutions run as im2col + GEMM
 * per (image, group), with the window order of sim/workload/layer.ts (k = (kh*kW + kw)*C + c).
 * Binary conv / linear nodes take sign(x) (sign(0) = +1) and sign(w) through the backend
 * (`binaryArray` if given), then multiply by the per-channel scale; their borders are
 * zero-padded like PyTorch / Larq (an XNOR PE sees the padding as +1 instead).
 */
import { InputError } from '../../sim/errors.ts';
import { decode, encode } from '../../sim/pe/codec.ts';
import { isFloat, type NumberFormat } from '../../sim/pe/formats.ts';
import {
  hasWeights, numel, sliceRange, tensor,
  type AttentionNode, type Conv2dNode, type Graph, type GraphNode, type PoolNode, type Shape,
} from '../graph.ts';
import { fp32Backend, type ArrayBackend } from './backends.ts';

export interface ExecOptions {
  /** array-op arithmetic (default: the fp32 reference) */
  readonly array?: ArrayBackend;
  /** arithmetic of binary conv / linear nodes (default: `array`) */
  readonly binaryArray?: ArrayBackend;
  /**
   * arithmetic of the attention matmuls (default: `array`): attention nodes, and matmuls whose
   * operands are both activations (Q K^T and A V of an exported transformer)
   */
  readonly attentionArray?: ArrayBackend;
  /** format of vector-unit results (default fp32) */
  readonly vectorFormat?: NumberFormat;
  /** keep every intermediate tensor (default: only the graph outputs) */
  readonly keepAll?: boolean;
}

export type Tensors = Map<string, Float32Array>;

/** Runs the graph; returns the outputs (or every tensor with keepAll). */
export function executeGraph(g: Graph, inputs: Readonly<Record<string, Float32Array>>, opts: ExecOptions = {}): Tensors {
  if (!hasWeights(g)) throw new InputError(`graph ${g.name} has no weights: it can be timed but not executed`);
  const array = opts.array ?? fp32Backend;
  const binArray = opts.binaryArray ?? array;
  const attnArray = opts.attentionArray ?? array;
  const vf = opts.vectorFormat;
  const vr: (x: number) => number = !vf || vf.name === 'fp32' ? Math.fround : (() => {
    if (!isFloat(vf)) throw new InputError(`vector format must be a float format, got ${vf.name}`);
    return (x: number) => decode(vf, encode(vf, x));
  })();

  const vals: Tensors = new Map();
  for (const t of g.tensors.values()) if (t.data) vals.set(t.name, t.data);
  for (const name of g.inputs) {
    const t = tensor(g, name);
    const v = inputs[name];
    if (!v) throw new InputError(`graph ${g.name}: missing input '${name}' ${JSON.stringify(t.shape)}`);
    if (v.length !== numel(t.shape)) throw new InputError(`input '${name}': ${v.length} values, shape [${t.shape.join(', ')}] needs ${numel(t.shape)}`);
    vals.set(name, v);
  }
  // last use of each activation, to free memory
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  const keep = new Set(g.outputs);

  const ctx: Ctx = { g, vals, array, binArray, attnArray, vr };
  g.nodes.forEach((node, i) => {
    vals.set(node.output, runNode(ctx, node));
    if (!opts.keepAll) {
      for (const x of node.inputs) {
        if (x !== '' && lastUse.get(x) === i && !keep.has(x) && tensor(g, x).role === 'activation') vals.delete(x);
      }
    }
  });
  if (opts.keepAll) return vals;
  const out: Tensors = new Map();
  for (const o of g.outputs) out.set(o, vals.get(o)!);
  return out;
}

interface Ctx {
  readonly g: Graph;
  readonly vals: Tensors;
  readonly array: ArrayBackend;
  readonly binArray: ArrayBackend;
  readonly attnArray: ArrayBackend;
  readonly vr: (x: number) => number;
}

function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** offsets into a tensor of `inShape` for every element of `outShape` (numpy broadcasting) */
function broadcastOffsets(outShape: Shape, inShape: Shape): Int32Array {
  const r = outShape.length;
  const inStr = strides(inShape);
  const bs = outShape.map((_d, i) => {
    const j = i - (r - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : inStr[j];
  });
  const n = numel(outShape);
  const off = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  let o = 0;
  for (let e = 0; e < n; e++) {
    off[e] = o;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      o += bs[d];
      if (idx[d] < outShape[d]) break;
      o -= bs[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return off;
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function erf(x: number): number {
  // Numerical Recipes erfc (Chebyshev), fractional error < 1.2e-7
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

function runNode(ctx: Ctx, node: GraphNode): Float32Array {
  const { g, vals, vr } = ctx;
  const val = (i: number): Float32Array => {
    const v = vals.get(node.inputs[i]);
    if (!v) throw new Error(`node '${node.name}': input '${node.inputs[i]}' has no value`);
    return v;
  };
  const has = (i: number) => node.inputs[i] !== undefined && node.inputs[i] !== '';
  const shp = (i: number) => tensor(g, node.inputs[i]).shape;
  const outShape = tensor(g, node.output).shape;
  const outN = numel(outShape);
  const map1 = (f: (x: number) => number): Float32Array => {
    const x = val(0);
    const o = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) o[i] = vr(f(x[i]));
    return o;
  };

  switch (node.op) {
    case 'conv2d':
    case 'binary_conv2d':
      return conv2d(ctx, node, val, has, shp, outShape);
    case 'linear':
    case 'binary_linear': {
      const binary = node.op === 'binary_linear';
      let x = val(0), w = val(1);
      const [nOut, k] = shp(1);
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
      const c = backend.gemm(x, bt, rows, nOut, k, backend.scale(x, 'input'), backend.scale(w, 'weight'));
      const bias = has(2) ? val(2) : undefined;
      const alpha = binary && has(3) ? val(3) : undefined;
      const o = new Float32Array(rows * nOut);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < nOut; j++) {
          let v = Math.fround(c[r * nOut + j]);
          if (alpha) v = vr(v * alpha[j]);
          if (bias) v = vr(v + bias[j]);
          o[r * nOut + j] = v;
        }
      }
      return o;
    }
    case 'matmul': {
      const a = val(0), b = val(1);
      const as = shp(0), bs = shp(1);
      const m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
      const batchShape = outShape.slice(0, -2);
      const nb = numel(batchShape);
      const aOff = broadcastOffsets(batchShape, as.slice(0, -2));
      const bOff = broadcastOffsets(batchShape, bs.slice(0, -2));
      // both operands activations (no weights): an attention matmul
      const backend = tensor(ctx.g, node.inputs[1]).data === undefined ? ctx.attnArray : ctx.array;
      const sa = backend.scale(a, 'input'), sb = backend.scale(b, 'weight');
      const o = new Float32Array(outN);
      for (let i = 0; i < nb; i++) {
        const ab = a.subarray(aOff[i] * m * k, (aOff[i] + 1) * m * k);
        const bb = b.subarray(bOff[i] * k * n, (bOff[i] + 1) * k * n);
        const c = backend.gemm(ab, bb, m, n, k, sa, sb);
        for (let e = 0; e < m * n; e++) o[i * m * n + e] = c[e];
      }
      return o;
    }
    case 'attention':
      return attention(ctx, node, val(0), val(1), val(2), shp(0), shp(1));
    case 'maxpool':
    case 'avgpool':
      return pool(node, val(0), shp(0), outShape, vr);
    case 'global_avgpool': {
      const x = val(0);
      const nc = outShape[0] * outShape[1];
      const hw = x.length / nc;
      const o = new Float32Array(nc);
      for (let i = 0; i < nc; i++) {
        let s = 0;
        for (let j = 0; j < hw; j++) s = vr(s + x[i * hw + j]);
        o[i] = vr(s / hw);
      }
      return o;
    }
    case 'add': case 'sub': case 'mul': case 'div': {
      const a = val(0), b = val(1);
      const f = node.op === 'add' ? (x: number, y: number) => x + y
        : node.op === 'sub' ? (x: number, y: number) => x - y
          : node.op === 'mul' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y;
      const o = new Float32Array(outN);
      const as = shp(0), bs = shp(1);
      if (sameShape(as, outShape) && sameShape(bs, outShape)) {
        for (let i = 0; i < outN; i++) o[i] = vr(f(a[i], b[i]));
      } else {
        const ao = sameShape(as, outShape) ? undefined : broadcastOffsets(outShape, as);
        const bo = sameShape(bs, outShape) ? undefined : broadcastOffsets(outShape, bs);
        for (let i = 0; i < outN; i++) o[i] = vr(f(a[ao ? ao[i] : i], b[bo ? bo[i] : i]));
      }
      return o;
    }
    case 'relu': return map1((x) => (x > 0 ? x : 0));
    case 'sigmoid': return map1((x) => 1 / (1 + Math.exp(-x)));
    case 'silu': return map1((x) => x / (1 + Math.exp(-x)));
    case 'tanh': return map1(Math.tanh);
    case 'erf': return map1(erf);
    case 'sqrt': return map1(Math.sqrt);
    case 'gelu': return map1((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));
    case 'identity': return val(0);
    case 'sign': return signOf(val(0));
    case 'clip': {
      const { min, max } = node;
      return map1((x) => (x < min ? min : x > max ? max : x));
    }
    case 'softmax': {
      const x = val(0);
      const axis = node.axis < 0 ? node.axis + outShape.length : node.axis;
      const len = outShape[axis];
      const inner = numel(outShape.slice(axis + 1));
      const outer = numel(outShape.slice(0, axis));
      const o = new Float32Array(outN);
      for (let a = 0; a < outer; a++) {
        for (let b = 0; b < inner; b++) {
          const base = a * len * inner + b;
          softmaxRow(x, o, base, inner, len, vr);
        }
      }
      return o;
    }
    case 'layernorm':
    case 'rmsnorm': {
      const x = val(0), gamma = val(1);
      const beta = node.op === 'layernorm' && has(2) ? val(2) : undefined;
      const d = outShape[outShape.length - 1];
      const o = new Float32Array(outN);
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
    }
    case 'batchnorm': {
      const x = val(0), gamma = val(1), beta = val(2), mean = val(3), variance = val(4);
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
    }
    case 'embedding': {
      const table = val(0), ids = val(1);
      const [vocab, d] = shp(0);
      const o = new Float32Array(outN);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new InputError(`node '${node.name}': token id ${id} outside [0, ${vocab})`);
        o.set(table.subarray(id * d, (id + 1) * d), i * d);
      }
      return o;
    }
    case 'concat': {
      const axis = node.axis < 0 ? node.axis + outShape.length : node.axis;
      const outer = numel(outShape.slice(0, axis));
      const inner = numel(outShape.slice(axis + 1));
      const o = new Float32Array(outN);
      let pos = 0;
      node.inputs.forEach((_, i) => {
        const x = val(i);
        const len = shp(i)[axis] * inner;
        for (let a = 0; a < outer; a++) o.set(x.subarray(a * len, (a + 1) * len), a * outShape[axis] * inner + pos);
        pos += len;
      });
      return o;
    }
    case 'reshape':
    case 'flatten':
      return val(0);
    case 'transpose': {
      const x = val(0);
      const inStr = strides(shp(0));
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
    }
    case 'slice': {
      const x = val(0);
      const xs = shp(0);
      const axis = node.axis < 0 ? node.axis + xs.length : node.axis;
      const [s, e] = sliceRange(node, xs[axis]);
      const outer = numel(xs.slice(0, axis));
      const inner = numel(xs.slice(axis + 1));
      const o = new Float32Array(outN);
      for (let a = 0; a < outer; a++) {
        o.set(x.subarray((a * xs[axis] + s) * inner, (a * xs[axis] + e) * inner), a * (e - s) * inner);
      }
      return o;
    }
    case 'expand': {
      const x = val(0);
      const off = broadcastOffsets(outShape, shp(0));
      const o = new Float32Array(outN);
      for (let i = 0; i < outN; i++) o[i] = x[off[i]];
      return o;
    }
    case 'rope': {
      const x = val(0);
      const [b, s, d] = outShape;
      const dh = d / node.heads, half = dh / 2;
      const o = new Float32Array(outN);
      for (let p = 0; p < s; p++) {
        const pos = node.offset + p;
        for (let i = 0; i < half; i++) {
          const theta = pos * Math.pow(node.base, (-2 * i) / dh);
          const cs = Math.fround(Math.cos(theta)), sn = Math.fround(Math.sin(theta));
          for (let bb = 0; bb < b; bb++) {
            for (let h = 0; h < node.heads; h++) {
              const base = (bb * s + p) * d + h * dh;
              const x1 = x[base + i], x2 = x[base + i + half];
              o[base + i] = vr(vr(x1 * cs) - vr(x2 * sn));
              o[base + i + half] = vr(vr(x2 * cs) + vr(x1 * sn));
            }
          }
        }
      }
      return o;
    }
  }
}

function signOf(x: Float32Array): Float32Array {
  const o = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] < 0 ? -1 : 1;
  return o;
}

function softmaxRow(x: Float32Array, o: Float32Array, base: number, stride: number, len: number, vr: (v: number) => number): void {
  let mx = -Infinity;
  for (let i = 0; i < len; i++) if (x[base + i * stride] > mx) mx = x[base + i * stride];
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const e = vr(Math.exp(vr(x[base + i * stride] - mx)));
    o[base + i * stride] = e;
    sum = vr(sum + e);
  }
  for (let i = 0; i < len; i++) o[base + i * stride] = vr(o[base + i * stride] / sum);
}

/**
 * GEMM layouts of a weight tensor, built once per tensor (and grouping): a model runs many
 * images, and the stable arrays let backends cache their quantized weights too.
 */
const layouts = new WeakMap<Float32Array, Map<number, Float32Array[]>>();

const signed = new WeakMap<Float32Array, Float32Array>();

/** sign(w) of a weight tensor, computed once per tensor */
function signedWeight(w: Float32Array): Float32Array {
  let s = signed.get(w);
  if (!s) signed.set(w, (s = signOf(w)));
  return s;
}

function weightLayout(w: Float32Array, key: number, build: () => Float32Array[]): Float32Array[] {
  let byKey = layouts.get(w);
  if (!byKey) layouts.set(w, (byKey = new Map()));
  let l = byKey.get(key);
  if (!l) byKey.set(key, (l = build()));
  return l;
}

function conv2d(
  ctx: Ctx, node: Conv2dNode, val: (i: number) => Float32Array, has: (i: number) => boolean,
  shp: (i: number) => Shape, outShape: Shape,
): Float32Array {
  const binary = node.op === 'binary_conv2d';
  const backend = binary ? ctx.binArray : ctx.array;
  const vr = ctx.vr;
  let x = val(0), w = val(1);
  if (binary) {
    x = signOf(x);
    w = signedWeight(w);
  }
  const [nb, c, h, wd] = shp(0);
  const [f, cg, kh, kw] = shp(1);
  const [, , oh, ow] = outShape;
  const groups = node.groups, fg = f / groups;
  const [sh, sw] = node.stride, [dh, dw] = node.dilation, [pt, pl] = node.pads;
  const M = oh * ow, K = kh * kw * cg;
  const bias = has(2) ? val(2) : undefined;
  const alpha = binary && has(3) ? val(3) : undefined;
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
  const out = new Float32Array(numel(outShape));
  const a = new Float32Array(M * K);
  const hw = h * wd;
  for (let n = 0; n < nb; n++) {
    for (let gr = 0; gr < groups; gr++) {
      a.fill(0);
      const xBase = (n * c + gr * cg) * hw;
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
              let src = xBase + y * wd + xx;
              for (let ci = 0; ci < cg; ci++, src += hw) a[col + ci] = x[src];
            }
          }
        }
      }
      const cm = backend.gemm(a, bs[gr], M, fg, K, sa, sb);
      for (let fo = 0; fo < fg; fo++) {
        const ch = gr * fg + fo;
        const dst = (n * f + ch) * M;
        const al = alpha ? alpha[ch] : 1, bi = bias ? bias[ch] : 0;
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

function attention(ctx: Ctx, node: AttentionNode, q: Float32Array, k: Float32Array, v: Float32Array, qs: Shape, ks: Shape): Float32Array {
  const vr = ctx.vr;
  const [b, sq, d] = qs;
  const skv = ks[1], dkv = ks[2];
  const H = node.heads, dh = d / H, group = H / node.kvHeads;
  const past = skv - sq;
  const arr = ctx.attnArray;
  const sq_ = arr.scale(q, 'input'), sk = arr.scale(k, 'weight'), sv = arr.scale(v, 'weight');
  const out = new Float32Array(b * sq * d);
  const qh = new Float32Array(sq * dh), kt = new Float32Array(dh * skv), vh = new Float32Array(skv * dh);
  const p = new Float32Array(sq * skv);
  for (let bb = 0; bb < b; bb++) {
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / group);
      for (let i = 0; i < sq; i++) for (let e = 0; e < dh; e++) qh[i * dh + e] = q[(bb * sq + i) * d + h * dh + e];
      for (let j = 0; j < skv; j++) {
        for (let e = 0; e < dh; e++) {
          const src = (bb * skv + j) * dkv + kvh * dh + e;
          kt[e * skv + j] = k[src];
          vh[j * dh + e] = v[src];
        }
      }
      const s = arr.gemm(qh, kt, sq, skv, dh, sq_, sk);
      for (let i = 0; i < sq; i++) {
        for (let j = 0; j < skv; j++) {
          p[i * skv + j] = node.causal && j > past + i ? -Infinity : vr(Math.fround(s[i * skv + j]) * node.scale);
        }
        softmaxRow(p, p, i * skv, 1, skv, vr);
      }
      const sp = arr.scale(p, 'input');
      const o = arr.gemm(p, vh, sq, dh, skv, sp, sv);
      for (let i = 0; i < sq; i++) for (let e = 0; e < dh; e++) out[(bb * sq + i) * d + h * dh + e] = o[i * dh + e];
    }
  }
  return out;
}

function pool(node: PoolNode, x: Float32Array, xs: Shape, os: Shape, vr: (v: number) => number): Float32Array {
  const [n, c, h, w] = xs;
  const [, , oh, ow] = os;
  const [kh, kw] = node.kernel, [sh, sw] = node.stride, [pt, pl, pb, pr] = node.pads;
  const o = new Float32Array(n * c * oh * ow);
  const isMax = node.op === 'maxpool';
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh - pt, x0 = ox * sw - pl;
        let acc = isMax ? -Infinity : 0;
        let cnt = 0;
        for (let y = Math.max(0, y0); y < Math.min(h, y0 + kh); y++) {
          for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + kw); xx++) {
            const v = x[base + y * w + xx];
            if (isMax) { if (v > acc) acc = v; } else acc = vr(acc + v);
            cnt++;
          }
        }
        if (!isMax) {
          // count_include_pad counts the window clipped to the padded input (PyTorch / ONNX)
          const full = (Math.min(y0 + kh, h + pb) - y0) * (Math.min(x0 + kw, w + pr) - x0);
          acc = vr(acc / (node.countIncludePad ? full : cnt));
        }
        o[(nc * oh + oy) * ow + ox] = acc;
      }
    }
  }
  return o;
}
