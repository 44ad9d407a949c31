/**
 * ONNX reader: model bytes -> graph IR. The protobuf is parsed by the `onnx-proto` package
 * (the ONNX schema compiled for protobufjs). Initializers become weights (float data) or
 * constants (integer shapes); shapes are inferred node by node with the IR's own rules, so
 * a shape mismatch names the node. An operator outside SUPPORTED_ONNX_OPS is an error that
 * names the node, its op type and the supported list: nothing is skipped silently.
 *
 * Mapping notes:
 * - Gemm / MatMul with a 2-D initializer as B become `linear` (the weight is stored [N, K],
 *   transposed from B where needed); with an activation as B they become `matmul`.
 * - Dropout and Identity are the identity (inference). Unsqueeze / Squeeze become reshapes.
 * - Gather of a 2-D initializer along axis 0 is an embedding lookup.
 * - Symbolic input dims (`dim_param`) take their value from `dims`, else 1 for the first
 *   (batch) axis; other symbolic dims are an error asking for a value.
 */
import onnxPkg from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { InputError } from '../../sim/errors.ts';
import {
  addNode, addTensor, emptyGraph, numel, shapeStr,
  type Graph, type GraphNode, type Shape, type TensorInfo, type UnaryOp,
} from '../graph.ts';

const { onnx } = onnxPkg;
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;
type AttributeProto = OnnxTypes.IAttributeProto;
type GraphProto = OnnxTypes.IGraphProto;

export const SUPPORTED_ONNX_OPS: readonly string[] = [
  'Add', 'AveragePool', 'BatchNormalization', 'Clip', 'Concat', 'Constant', 'Conv', 'Div', 'Dropout', 'Erf', 'Flatten',
  'Gather', 'Gelu', 'Gemm', 'GlobalAveragePool', 'Identity', 'LayerNormalization', 'MatMul', 'MaxPool', 'Mul', 'Relu',
  'Reshape', 'Sigmoid', 'Sign', 'Softmax', 'Sqrt', 'Squeeze', 'Sub', 'Tanh', 'Transpose', 'Unsqueeze',
];

export interface OnnxImportOptions {
  /** file name for error messages */
  readonly file?: string;
  /** values of symbolic input dimensions, by dim_param name */
  readonly dims?: Readonly<Record<string, number>>;
}

type LongLike = number | { toNumber(): number } | { low: number; high: number };

function toNum(v: LongLike): number {
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

const DT_FLOAT = 1, DT_INT32 = 6, DT_INT64 = 7, DT_DOUBLE = 11;

/** Values of a TensorProto as floats (int64 as their integer values). */
function tensorValues(t: TensorProto, where: string): { shape: number[]; data: Float32Array; dtype: 'float32' | 'int64' } {
  const shape = (t.dims ?? []).map((d) => toNum(d as LongLike));
  const n = numel(shape);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const data = new Float32Array(n);
  const need = (bytes: number) => {
    if (view && view.byteLength !== n * bytes) {
      throw new InputError(`${where}: tensor '${t.name}' holds ${view.byteLength} bytes, shape ${shapeStr(shape)} needs ${n * bytes}`);
    }
  };
  const count = (len: number) => {
    if (len !== n) throw new InputError(`${where}: tensor '${t.name}' holds ${len} values, shape ${shapeStr(shape)} needs ${n}`);
  };
  if (t.dataLocation === 1) throw new InputError(`${where}: tensor '${t.name}' uses external data, which is not supported`);
  switch (t.dataType) {
    case DT_FLOAT:
      if (view) { need(4); for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true); }
      else { const a = t.floatData ?? []; count(a.length); data.set(a); }
      return { shape, data, dtype: 'float32' };
    case DT_DOUBLE:
      if (view) { need(8); for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true); }
      else { const a = t.doubleData ?? []; count(a.length); data.set(a); }
      return { shape, data, dtype: 'float32' };
    case DT_INT64:
      if (view) { need(8); for (let i = 0; i < n; i++) data[i] = Number(view.getBigInt64(8 * i, true)); }
      else { const a = t.int64Data ?? []; count(a.length); for (let i = 0; i < n; i++) data[i] = toNum(a[i] as LongLike); }
      return { shape, data, dtype: 'int64' };
    case DT_INT32:
      if (view) { need(4); for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, true); }
      else { const a = t.int32Data ?? []; count(a.length); data.set(a); }
      return { shape, data, dtype: 'int64' };
    default:
      throw new InputError(`${where}: tensor '${t.name}' has data type ${t.dataType}; supported: float, double, int32, int64`);
  }
}

function decodeModel(bytes: Uint8Array, file: string) {
  if (bytes.length === 0) throw new InputError(`${file}: empty file, not an ONNX model`);
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new InputError(`${file}: not a valid ONNX model (truncated or corrupt protobuf: ${msg})`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0 || (model.graph.output ?? []).length === 0) {
    throw new InputError(`${file}: not a valid ONNX model (no graph with nodes and outputs)`);
  }
  return model;
}

export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): Graph {
  const file = opts.file ?? 'model.onnx';
  const model = decodeModel(bytes, file);
  const og = model.graph!;
  let opset = 13;
  for (const o of model.opsetImport) if (!o.domain || o.domain === 'ai.onnx') opset = toNum(o.version as LongLike);
  const g = emptyGraph(og.name || file);
  try {
    buildGraph(g, og, opset, file, opts.dims ?? {});
  } catch (err) {
    if (err instanceof InputError && !err.message.startsWith(file)) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
  return g;
}

function buildGraph(g: Graph, og: GraphProto, opset: number, file: string, dims: Readonly<Record<string, number>>): void {
  const inits = new Set<string>();
  for (const t of og.initializer ?? []) {
    const v = tensorValues(t, file);
    const tname = t.name ?? '';
    inits.add(tname);
    addTensor(g, { name: tname, shape: v.shape.length === 0 ? [1] : v.shape, role: v.dtype === 'int64' ? 'const' : 'param', dtype: v.dtype, data: v.data });
  }
  for (const vi of og.input ?? []) {
    const vname = vi.name ?? '';
    if (inits.has(vname)) continue;
    const tt = vi.type?.tensorType;
    if (!tt || !tt.shape) throw new InputError(`input '${vname}' has no tensor type or shape`);
    const shape = (tt.shape.dim ?? []).map((d, i) => {
      if (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue as LongLike) > 0) return toNum(d.dimValue as LongLike);
      const p = d.dimParam ?? '';
      if (p !== '' && dims[p] !== undefined) return dims[p];
      if (i === 0) return 1;
      throw new InputError(`input '${vi.name}' has a symbolic dimension ${i} ('${p}'): give its value`);
    });
    const elem = tt.elemType ?? DT_FLOAT;
    const dtype = elem === DT_INT64 || elem === DT_INT32 ? 'int64' : 'float32';
    if (dtype === 'float32' && elem !== DT_FLOAT) throw new InputError(`input '${vi.name}' has element type ${elem}; supported: float, int32, int64`);
    addTensor(g, { name: vname, shape, role: 'input', dtype });
  }
  const binary = planBinaryConvs(og, g);
  (og.node ?? []).forEach((n, i) => {
    const b = binary.get(i);
    if (b === 'skip') return;
    if (b) addBinaryConv(g, b);
    else importNode(g, n, i, opset);
  });
  for (const o of og.output ?? []) {
    const oname = o.name ?? '';
    if (!g.tensors.has(oname)) throw new InputError(`graph output '${oname}' is never computed`);
    g.outputs.push(oname);
  }
}

/**
 * Binary convolutions as XNOR-Net exports them (models/train/README.md):
 *   Sign(x) -> Conv(W in {-1,+1}, no bias, no padding) -> Mul(alpha [1,C,1,1] or [C])
 * becomes one binary_conv2d(x, W, alpha) that an XNOR array can run: the Sign and the Mul
 * are folded into it (sign(0) counts as +1, as on an XNOR array, where ONNX Sign gives 0).
 * Only when each intermediate tensor has no other consumer; otherwise the nodes stay as they
 * are (a float Conv after a Sign vector op).
 */
interface BinaryConvPlan {
  readonly name: string;
  readonly input: string;
  readonly weight: string;
  readonly alpha: string;
  readonly output: string;
  readonly conv: NodeProto;
}

function planBinaryConvs(og: GraphProto, g: Graph): Map<number, BinaryConvPlan | 'skip'> {
  const nodes = og.node ?? [];
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, i) => (n.input ?? []).forEach((x) => consumers.set(x, [...(consumers.get(x) ?? []), i])));
  const only = (t: string): number | undefined => {
    const c = consumers.get(t) ?? [];
    return c.length === 1 && !(og.output ?? []).some((o) => o.name === t) ? c[0] : undefined;
  };
  const plan = new Map<number, BinaryConvPlan | 'skip'>();
  nodes.forEach((sign, i) => {
    if (sign.opType !== 'Sign' || !sign.output?.[0]) return;
    const ci = only(sign.output[0]);
    const conv = ci !== undefined ? nodes[ci] : undefined;
    if (!conv || conv.opType !== 'Conv' || conv.input?.[0] !== sign.output[0] || (conv.input?.[2] ?? '') !== '') return;
    const w = g.tensors.get(conv.input?.[1] ?? '');
    if (!w?.data || w.shape.length !== 4 || !w.data.every((v) => v === 1 || v === -1)) return;
    const pads = attrInts(conv, 'pads') ?? [0, 0, 0, 0];
    if (pads.some((p) => p !== 0) || attrString(conv, 'auto_pad', 'NOTSET') !== 'NOTSET' || attrInt(conv, 'group', 1) !== 1) return;
    const mi = conv.output?.[0] ? only(conv.output[0]) : undefined;
    const mul = mi !== undefined ? nodes[mi] : undefined;
    if (!mul || mul.opType !== 'Mul' || !mul.output?.[0]) return;
    const other = mul.input?.[0] === conv.output![0] ? mul.input?.[1] : mul.input?.[0];
    const a = g.tensors.get(other ?? '');
    const f = w.shape[0];
    if (!a?.data || a.data.length !== f || !(a.shape.length === 1 || (a.shape.length === 4 && a.shape[1] === f))) return;
    const alpha = `${a.name}__alpha`;
    if (!g.tensors.has(alpha)) addTensor(g, { name: alpha, shape: [f], role: 'param', dtype: 'float32', data: Float32Array.from(a.data) });
    plan.set(i, 'skip');
    plan.set(ci!, { name: conv.name || `binary_conv_${ci}`, input: sign.input?.[0] ?? '', weight: w.name, alpha, output: mul.output[0], conv });
    plan.set(mi!, 'skip');
  });
  return plan;
}

function addBinaryConv(g: Graph, b: BinaryConvPlan): void {
  const stride = attrInts(b.conv, 'strides') ?? [1, 1];
  const dil = attrInts(b.conv, 'dilations') ?? [1, 1];
  addNode(g, {
    op: 'binary_conv2d', name: b.name, inputs: [b.input, b.weight, '', b.alpha], output: b.output,
    stride: [stride[0], stride[1]], pads: [0, 0, 0, 0], dilation: [dil[0], dil[1]], groups: 1,
  });
}

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}
function attrInt(n: NodeProto, name: string, def: number): number {
  const a = attr(n, name);
  return a ? toNum(a.i as LongLike) : def;
}
function attrFloat(n: NodeProto, name: string, def: number): number {
  const a = attr(n, name);
  return a ? a.f ?? def : def;
}
function attrInts(n: NodeProto, name: string): number[] | undefined {
  const a = attr(n, name);
  return a ? (a.ints ?? []).map((v) => toNum(v as LongLike)) : undefined;
}
function attrString(n: NodeProto, name: string, def: string): string {
  const a = attr(n, name);
  return a && a.s ? new TextDecoder().decode(a.s) : def;
}

function importNode(g: Graph, n: NodeProto, index: number, opset: number): void {
  const name = n.name || `${n.opType}_${index}`;
  const outputs = n.output ?? [];
  const inputs0 = n.input ?? [];
  const where = `node '${name}' (${n.opType})`;
  const bad = (msg: string): never => {
    throw new InputError(`${where}: ${msg}`);
  };
  const out = outputs[0];
  if (!out) bad('no output');
  const input = (i: number): string => inputs0[i] ?? '';
  const info = (i: number): TensorInfo => {
    const t = g.tensors.get(input(i));
    if (!t) return bad(`input '${input(i)}' is not defined before this node`);
    return t;
  };
  const constData = (i: number): Float32Array => {
    const t = info(i);
    if (!t.data || t.role === 'activation' || t.role === 'input') bad(`input '${t.name}' must be a constant (initializer or Constant)`);
    return t.data!;
  };
  const add = (node: GraphNode) => addNode(g, node);
  const unary = (op: UnaryOp) => add({ op, name, inputs: [input(0)], output: out });
  const rank = (i: number) => info(i).shape.length;
  /** a transposed copy [N, K] of a 2-D initializer [K, N] */
  const transposedWeight = (src: TensorInfo): string => {
    const [k, nn] = src.shape;
    const data = new Float32Array(k * nn);
    for (let r = 0; r < k; r++) for (let c = 0; c < nn; c++) data[c * k + r] = src.data![r * nn + c];
    const tName = `${src.name}__T`;
    if (!g.tensors.has(tName)) addTensor(g, { name: tName, shape: [nn, k], role: 'param', dtype: 'float32', data });
    return tName;
  };
  const isWeight = (i: number) => {
    const t = g.tensors.get(input(i));
    return t !== undefined && t.data !== undefined && t.role === 'param' && t.shape.length === 2;
  };

  switch (n.opType) {
    case 'Conv': {
      if (rank(1) !== 4) bad(`only 2-D convolutions are supported, weight ${shapeStr(info(1).shape)}`);
      const [, , kh, kw] = info(1).shape;
      const ks = attrInts(n, 'kernel_shape');
      if (ks && (ks[0] !== kh || ks[1] !== kw)) bad(`kernel_shape ${shapeStr(ks)} differs from the weight ${shapeStr(info(1).shape)}`);
      const stride = attrInts(n, 'strides') ?? [1, 1];
      const dil = attrInts(n, 'dilations') ?? [1, 1];
      let pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
      const autoPad = attrString(n, 'auto_pad', 'NOTSET');
      if (autoPad === 'VALID') pads = [0, 0, 0, 0];
      else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        const x = info(0).shape;
        const p = [0, 1].map((a) => {
          const inS = x[2 + a], k = [kh, kw][a];
          const total = Math.max(0, (Math.ceil(inS / stride[a]) - 1) * stride[a] + dil[a] * (k - 1) + 1 - inS);
          const small = Math.floor(total / 2);
          return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
        });
        pads = [p[0][0], p[1][0], p[0][1], p[1][1]];
      } else if (autoPad !== 'NOTSET') bad(`unknown auto_pad '${autoPad}'`);
      const inputs = [input(0), input(1)];
      if (input(2) !== '') inputs.push(input(2));
      add({
        op: 'conv2d', name, inputs, output: out, stride: [stride[0], stride[1]],
        pads: [pads[0], pads[1], pads[2], pads[3]], dilation: [dil[0], dil[1]], groups: attrInt(n, 'group', 1),
      });
      return;
    }
    case 'Gemm': {
      if (attrInt(n, 'transA', 0) !== 0) bad('transA = 1 is not supported');
      if (attrFloat(n, 'alpha', 1) !== 1 || attrFloat(n, 'beta', 1) !== 1) bad('alpha and beta other than 1 are not supported');
      const transB = attrInt(n, 'transB', 0) === 1;
      let bias = input(2);
      if (bias !== '' && isWeight(1)) {
        const b = info(2);
        const nOut = transB ? info(1).shape[0] : info(1).shape[1];
        if (numel(b.shape) === nOut && b.shape.length !== 1 && b.data) {
          bias = `${b.name}__flat`;
          if (!g.tensors.has(bias)) addTensor(g, { name: bias, shape: [nOut], role: 'param', dtype: 'float32', data: b.data });
        }
      }
      if (isWeight(1)) {
        const w = transB ? input(1) : transposedWeight(info(1));
        add({ op: 'linear', name, inputs: bias === '' ? [input(0), w] : [input(0), w, bias], output: out });
        return;
      }
      let b = input(1);
      if (transB) b = add({ op: 'transpose', name: `${name}/transB`, inputs: [b], output: `${out}__transB`, perm: [1, 0] }).name;
      if (bias === '') {
        add({ op: 'matmul', name, inputs: [input(0), b], output: out });
      } else {
        const mm = add({ op: 'matmul', name: `${name}/matmul`, inputs: [input(0), b], output: `${out}__mm` }).name;
        add({ op: 'add', name, inputs: [mm, bias], output: out });
      }
      return;
    }
    case 'MatMul':
      if (isWeight(1) && rank(0) >= 1) add({ op: 'linear', name, inputs: [input(0), transposedWeight(info(1))], output: out });
      else add({ op: 'matmul', name, inputs: [input(0), input(1)], output: out });
      return;
    case 'Add': case 'Sub': case 'Mul': case 'Div':
      add({ op: n.opType.toLowerCase() as 'add' | 'sub' | 'mul' | 'div', name, inputs: [input(0), input(1)], output: out });
      return;
    case 'Relu': unary('relu'); return;
    case 'Sign': unary('sign'); return;
    case 'Sigmoid': unary('sigmoid'); return;
    case 'Tanh': unary('tanh'); return;
    case 'Erf': unary('erf'); return;
    case 'Sqrt': unary('sqrt'); return;
    case 'Identity': unary('identity'); return;
    case 'Dropout':
      if (outputs.length > 1 && outputs[1] !== '') bad('the mask output is not supported');
      unary('identity');
      return;
    case 'Gelu':
      if (attrString(n, 'approximate', 'none') !== 'none') bad("only approximate = 'none' is supported");
      unary('gelu');
      return;
    case 'Clip': {
      let min = attrFloat(n, 'min', -Infinity), max = attrFloat(n, 'max', Infinity);
      if (input(1) !== '') min = constData(1)[0];
      if (input(2) !== '') max = constData(2)[0];
      add({ op: 'clip', name, inputs: [input(0)], output: out, min, max });
      return;
    }
    case 'Softmax': {
      const r = rank(0);
      let axis = attrInt(n, 'axis', opset >= 13 ? -1 : 1);
      if (axis < 0) axis += r;
      if (opset < 13 && axis !== r - 1) bad(`opset ${opset} softmax over the flattened axes ${axis}.. is only supported on the last axis`);
      add({ op: 'softmax', name, inputs: [input(0)], output: out, axis });
      return;
    }
    case 'BatchNormalization': {
      if (outputs.length > 1 && outputs.slice(1).some((o) => o !== '')) bad('training-mode outputs are not supported');
      for (const i of [3, 4]) {
        const t = info(i);
        if (t.role === 'param') g.tensors.set(t.name, { ...t, role: 'buffer' });
      }
      add({ op: 'batchnorm', name, inputs: [0, 1, 2, 3, 4].map(input), output: out, eps: attrFloat(n, 'epsilon', 1e-5) });
      return;
    }
    case 'LayerNormalization': {
      const axis = attrInt(n, 'axis', -1);
      if (axis !== -1 && axis !== rank(0) - 1) bad(`only normalization over the last axis is supported, axis ${axis}`);
      if (outputs.length > 1 && outputs.slice(1).some((o) => o !== '')) bad('mean / inv-std outputs are not supported');
      const inputs = [input(0), input(1)];
      if (input(2) !== '') inputs.push(input(2));
      add({ op: 'layernorm', name, inputs, output: out, eps: attrFloat(n, 'epsilon', 1e-5) });
      return;
    }
    case 'MaxPool':
    case 'AveragePool': {
      const k = attrInts(n, 'kernel_shape');
      if (!k || k.length !== 2) bad('kernel_shape must give 2 dims');
      if ((attrInts(n, 'dilations') ?? [1, 1]).some((d) => d !== 1)) bad('dilated pooling is not supported');
      if (attrInt(n, 'storage_order', 0) !== 0) bad('storage_order 1 is not supported');
      if (outputs.length > 1 && outputs[1] !== '') bad('the indices output is not supported');
      const autoPad = attrString(n, 'auto_pad', 'NOTSET');
      if (autoPad !== 'NOTSET' && autoPad !== 'VALID') bad(`auto_pad '${autoPad}' is not supported for pooling`);
      const s = attrInts(n, 'strides') ?? [1, 1];
      const p = autoPad === 'VALID' ? [0, 0, 0, 0] : attrInts(n, 'pads') ?? [0, 0, 0, 0];
      add({
        op: n.opType === 'MaxPool' ? 'maxpool' : 'avgpool', name, inputs: [input(0)], output: out,
        kernel: [k![0], k![1]], stride: [s[0], s[1]], pads: [p[0], p[1], p[2], p[3]],
        ceilMode: attrInt(n, 'ceil_mode', 0) === 1, countIncludePad: attrInt(n, 'count_include_pad', 0) === 1,
      });
      return;
    }
    case 'GlobalAveragePool':
      add({ op: 'global_avgpool', name, inputs: [input(0)], output: out });
      return;
    case 'Flatten':
      add({ op: 'flatten', name, inputs: [input(0)], output: out, axis: attrInt(n, 'axis', 1) });
      return;
    case 'Reshape': {
      if (attrInt(n, 'allowzero', 0) !== 0) bad('allowzero = 1 is not supported');
      add({ op: 'reshape', name, inputs: [input(0)], output: out, shape: Array.from(constData(1)) });
      return;
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? Array.from({ length: rank(0) }, (_, i) => rank(0) - 1 - i);
      add({ op: 'transpose', name, inputs: [input(0)], output: out, perm });
      return;
    }
    case 'Concat':
      add({ op: 'concat', name, inputs: inputs0.filter((s) => s !== ''), output: out, axis: attrInt(n, 'axis', 0) });
      return;
    case 'Unsqueeze':
    case 'Squeeze': {
      const x = info(0).shape;
      const axes = opset >= 13 ? (input(1) !== '' ? Array.from(constData(1)) : undefined) : attrInts(n, 'axes');
      let shape: number[];
      if (n.opType === 'Unsqueeze') {
        if (!axes) return bad('axes are required');
        const r = x.length + axes.length;
        const norm = new Set(axes.map((a) => (a < 0 ? a + r : a)));
        shape = [];
        let j = 0;
        for (let i = 0; i < r; i++) shape.push(norm.has(i) ? 1 : x[j++]);
      } else {
        const norm = axes ? new Set(axes.map((a) => (a < 0 ? a + x.length : a))) : undefined;
        for (const a of norm ?? []) if (x[a] !== 1) bad(`cannot squeeze axis ${a} of size ${x[a]}`);
        shape = x.filter((d, i) => (norm ? !norm.has(i) : d !== 1));
        if (shape.length === 0) shape = [1];
      }
      add({ op: 'reshape', name, inputs: [input(0)], output: out, shape });
      return;
    }
    case 'Gather': {
      const data = info(0);
      if (attrInt(n, 'axis', 0) !== 0 || data.shape.length !== 2 || !data.data || data.role === 'activation' || data.role === 'input') {
        bad('only an embedding lookup (a 2-D initializer indexed along axis 0) is supported');
      }
      add({ op: 'embedding', name, inputs: [input(0), input(1)], output: out });
      return;
    }
    case 'Constant': {
      const a = attr(n, 'value');
      if (!a || !a.t) return bad('only a tensor `value` is supported');
      const v = tensorValues(a.t, where);
      addTensor(g, { name: out, shape: v.shape.length === 0 ? [1] : v.shape, role: 'const', dtype: v.dtype, data: v.data });
      return;
    }
    default:
      throw new InputError(
        `${where}: unsupported op type '${n.opType}'${n.domain ? ` (domain ${n.domain})` : ''}; supported: ${SUPPORTED_ONNX_OPS.join(', ')}`,
      );
  }
}

/** re-exported for tests that build models */
export { onnx };
export type OnnxShape = Shape;
