/**
 * ONNX reader: model bytes -> graph IR. The protobuf is parsed by the `onnx-proto` package
 * (the ONNX schema compiled for protobufjs). Initializers become weights (float data) or
 * constants (integer shapes); shapes are inferred node by node with the IR's own rules, so
 * a shape mismatch names the node. An operator outside SUPPORTED_ONNX_OPS is an error that
 * names the node, its op type and the supported list: nothing is skipped silently.
 *
 * Each ONNX operator type is imported by the module of the graph operator it becomes
 * (models/ops/: e.g. Gemm and MatMul in linear.ts, Squeeze in views.ts); this file reads the
 * protobuf, the initializers and inputs, fuses binary convolutions and dispatches.
 * - Symbolic input dims (`dim_param`) take their value from `dims`, else 1 for the first
 *   (batch) axis; other symbolic dims are an error asking for a value.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import { createRequire } from 'node:module';
import { InputError } from '../../sim/errors.ts';
import { addTensor, emptyGraph, numel, shapeStr, type Graph, type Shape, type TensorInfo } from '../graph.ts';
import { addNode, onnxImporter, onnxOpTypes } from '../operators.ts';

// protobufjs and the generated ONNX schema are loaded on the first .onnx file, not at start-up
const require = createRequire(import.meta.url);
let onnxSchema: typeof OnnxTypes | undefined;
function onnxProto(): typeof OnnxTypes {
  onnxSchema ??= (require('onnx-proto') as { onnx: typeof OnnxTypes }).onnx;
  return onnxSchema;
}
type NodeProto = OnnxTypes.INodeProto;
type TensorProto = OnnxTypes.ITensorProto;
type AttributeProto = OnnxTypes.IAttributeProto;
type GraphProto = OnnxTypes.IGraphProto;

/** ONNX operator types the reader imports: the operator modules' (models/ops/) and Constant. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...onnxOpTypes(), 'Constant'].sort();

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
    model = onnxProto().ModelProto.decode(bytes);
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
  if (n.opType === 'Constant') {
    // not an operator: a tensor of the graph
    const a = attr(n, 'value');
    if (!a || !a.t) return bad('only a tensor `value` is supported');
    const v = tensorValues(a.t, where);
    addTensor(g, { name: out, shape: v.shape.length === 0 ? [1] : v.shape, role: 'const', dtype: v.dtype, data: v.data });
    return;
  }
  const importer = onnxImporter(n.opType ?? '');
  if (importer === undefined) {
    throw new InputError(
      `${where}: unsupported op type '${n.opType}'${n.domain ? ` (domain ${n.domain})` : ''}; supported: ${SUPPORTED_ONNX_OPS.join(', ')}`,
    );
  }
  const input = (i: number): string => inputs0[i] ?? '';
  const info = (i: number): TensorInfo => {
    const t = g.tensors.get(input(i));
    if (!t) return bad(`input '${input(i)}' is not defined before this node`);
    return t;
  };
  importer({
    g, node: n, opset, name, outputs, out,
    input, info,
    rank: (i) => info(i).shape.length,
    constData(i) {
      const t = info(i);
      if (!t.data || t.role === 'activation' || t.role === 'input') bad(`input '${t.name}' must be a constant (initializer or Constant)`);
      return t.data!;
    },
    bad,
    add: (node) => addNode(g, node),
    attrInt: (a, def) => attrInt(n, a, def),
    attrFloat: (a, def) => attrFloat(n, a, def),
    attrInts: (a) => attrInts(n, a),
    attrString: (a, def) => attrString(n, a, def),
    isWeight(i) {
      const t = g.tensors.get(input(i));
      return t !== undefined && t.data !== undefined && t.role === 'param' && t.shape.length === 2;
    },
    transposedWeight(src) {
      const [k, nn] = src.shape;
      const data = new Float32Array(k * nn);
      for (let r = 0; r < k; r++) for (let c = 0; c < nn; c++) data[c * k + r] = src.data![r * nn + c];
      const tName = `${src.name}__T`;
      if (!g.tensors.has(tName)) addTensor(g, { name: tName, shape: [nn, k], role: 'param', dtype: 'float32', data });
      return tName;
    },
  });
}

export type OnnxShape = Shape;
