/**
 * ONNX reader: model bytes -> graph IR. The protobuf is parsed by the `onnx-proto` package
 * (the ONNX schema compiled for protobufjs). Float initializers become weights, integer ones
 * constants; shapes are inferred node by node with the IR's own rules, so a shape mismatch
 * names the node. Nothing is skipped silently: an operator nobody imports is an error naming
 * the node, its op type and the supported lists.
 *
 * Real exports (torch.onnx.export) carry shape and mask subgraphs (Shape, Gather, Unsqueeze,
 * Concat, ConstantOfShape, Range, Equal, Where, ScatterND, ...). With the input shapes fixed
 * those are constants: a node whose inputs are all constants (initializers, Constant nodes,
 * earlier folded results), or a Shape / Size node, is evaluated here (const-eval.ts: ONNX
 * semantics per data type; a graph operator on float constants runs through its kernel) and
 * never reaches the graph. What remains is imported by the module of the graph operator it
 * becomes (models/ops/: e.g. Gemm and MatMul in linear.ts, Squeeze in views.ts); this file
 * reads the protobuf, the initializers and inputs, folds constants, fuses binary convolutions
 * and dispatches.
 *
 * Input shapes: a graph input's declared static dims must be kept; a symbolic dim (`dim_param`)
 * takes its value from `inputShapes` (the shape of the data the model will run on), else from
 * `dims` (by dim_param name), else 1 for the first (batch) axis; any other symbolic dim is an
 * error asking for a value.
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import { createRequire } from 'node:module';
import { InputError } from '../../sim/errors.ts';
import { checkLimit } from '../../sim/limits.ts';
import { decode } from '../../sim/pe/codec.ts';
import { FP16 } from '../../sim/pe/formats.ts';
import { executeGraph } from '../exec/executor.ts';
import { addTensor, emptyGraph, numel, shapeStr, type Graph, type Shape, type TensorInfo } from '../graph.ts';
import { addNode, onnxImporter, onnxOpTypes } from '../operators.ts';
import type { OnnxContext, OnnxImporter } from '../ops/types.ts';
import { DT, dtypeOf, foldableOps, foldNode, SHAPE_ONLY_OPS, type ConstValue, type FoldContext } from './const-eval.ts';

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
type ValueInfoProto = OnnxTypes.IValueInfoProto;

/** ONNX operator types imported as graph operators: the operator modules' (models/ops/) and Constant. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...onnxOpTypes(), 'Constant'].sort();

/** ONNX operator types evaluated when their inputs are constants (shape and mask subgraphs). */
export const FOLDED_ONNX_OPS: readonly string[] = foldableOps();

export interface OnnxImportOptions {
  /** file name for error messages */
  readonly file?: string;
  /** values of symbolic input dimensions, by dim_param name */
  readonly dims?: Readonly<Record<string, number>>;
  /** the shapes of the graph inputs, by input name: symbolic dims take these values, static dims must agree */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** A graph input as the file declares it: a dim is a number, or the name of a symbolic one. */
export interface DeclaredInput {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  /** ONNX element type name: float, int64, ... */
  readonly elemType: string;
}

type LongLike = number | { toNumber(): number } | { low: number; high: number };

function toNum(v: LongLike): number {
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

const ELEM_NAMES: Readonly<Record<number, string>> = {
  [DT.FLOAT]: 'float', [DT.UINT8]: 'uint8', [DT.INT8]: 'int8', [DT.UINT16]: 'uint16', [DT.INT16]: 'int16', [DT.INT32]: 'int32',
  [DT.INT64]: 'int64', [DT.BOOL]: 'bool', [DT.FLOAT16]: 'float16', [DT.DOUBLE]: 'double', [DT.UINT32]: 'uint32', [DT.UINT64]: 'uint64',
};

/** bytes of one element in raw_data, per data type */
function rawWidth(type: number): number {
  switch (type) {
    case DT.DOUBLE: case DT.INT64: case DT.UINT64: return 8;
    case DT.FLOAT: case DT.INT32: case DT.UINT32: return 4;
    case DT.FLOAT16: case DT.INT16: case DT.UINT16: return 2;
    default: return 1; // int8, uint8, bool
  }
}

/** the typed-value list a tensor without raw_data holds its values in, per data type (onnx.proto) */
function valueList(t: TensorProto, type: number): ArrayLike<unknown> | null | undefined {
  switch (type) {
    case DT.FLOAT: return t.floatData;
    case DT.DOUBLE: return t.doubleData;
    case DT.INT64: return t.int64Data;
    case DT.UINT64: case DT.UINT32: return t.uint64Data;
    default: return t.int32Data; // float16, int32, int16, int8, uint16, uint8, bool
  }
}

/**
 * A tensor's element count, checked before anything is allocated: every dim a non-negative
 * integer, the count within the tensor_elements limit and equal to what the file holds for it
 * (raw bytes or typed values), so a corrupt 100-byte file cannot make the reader allocate
 * gigabytes.
 */
function checkedElements(t: TensorProto, shape: readonly number[], type: number, where: string): number {
  const bad = shape.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) throw new InputError(`${where}: tensor '${t.name}' has dimension ${bad}; dimensions are integers >= 0`);
  let n = 1;
  for (const d of shape) n *= d;
  checkLimit('tensor_elements', n, `${where}: tensor '${t.name}' (shape ${shapeStr(shape)})`, 'its number of elements');
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData.length : undefined;
  if (raw !== undefined) {
    const need = n * rawWidth(type);
    if (raw !== need) throw new InputError(`${where}: tensor '${t.name}' holds ${raw} bytes, shape ${shapeStr(shape)} needs ${need}`);
  } else {
    const held = valueList(t, type)?.length ?? 0;
    if (held !== n) throw new InputError(`${where}: tensor '${t.name}' holds ${held} values, shape ${shapeStr(shape)} needs ${n}`);
  }
  return n;
}

/** Values of a TensorProto (true shape: [] for a scalar); floats as fp32 values, integers exact. */
function tensorValues(t: TensorProto, where: string): ConstValue {
  const shape = (t.dims ?? []).map((d) => toNum(d as LongLike));
  const type = t.dataType ?? 0;
  const dtype = dtypeOf(type);
  if (t.dataLocation === 1) throw new InputError(`${where}: tensor '${t.name}' uses external data, which is not supported`);
  if (dtype === undefined) {
    throw new InputError(`${where}: tensor '${t.name}' has data type ${ELEM_NAMES[type] ?? type}; supported: float, double, float16, integers, bool`);
  }
  const n = checkedElements(t, shape, type, where);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const data = dtype === 'float' ? new Float32Array(n) : new Float64Array(n);
  const need = (bytes: number) => {
    if (view && view.byteLength !== n * bytes) {
      throw new InputError(`${where}: tensor '${t.name}' holds ${view.byteLength} bytes, shape ${shapeStr(shape)} needs ${n * bytes}`);
    }
  };
  const fromList = (a: ArrayLike<LongLike> | null | undefined, f: (v: number) => number = (v) => v) => {
    const list = a ?? [];
    if (list.length !== n) throw new InputError(`${where}: tensor '${t.name}' holds ${list.length} values, shape ${shapeStr(shape)} needs ${n}`);
    for (let i = 0; i < n; i++) data[i] = f(toNum(list[i]));
  };
  const fromRaw = (bytes: number, get: (v: DataView, off: number) => number) => {
    need(bytes);
    for (let i = 0; i < n; i++) data[i] = get(view!, bytes * i);
  };
  switch (type) {
    case DT.FLOAT: return view ? (fromRaw(4, (v, o) => v.getFloat32(o, true)), { dtype, shape, data }) : (fromList(t.floatData), { dtype, shape, data });
    case DT.DOUBLE: return view ? (fromRaw(8, (v, o) => v.getFloat64(o, true)), { dtype, shape, data }) : (fromList(t.doubleData), { dtype, shape, data });
    case DT.FLOAT16: {
      const h = (bits: number) => decode(FP16, bits & 0xffff);
      if (view) fromRaw(2, (v, o) => h(v.getUint16(o, true)));
      else fromList(t.int32Data, h);
      return { dtype, shape, data };
    }
    case DT.INT64: case DT.UINT64:
      if (view) fromRaw(8, (v, o) => Number(type === DT.INT64 ? v.getBigInt64(o, true) : v.getBigUint64(o, true)));
      else fromList(type === DT.INT64 ? t.int64Data : t.uint64Data);
      return { dtype, shape, data };
    case DT.UINT32:
      if (view) fromRaw(4, (v, o) => v.getUint32(o, true));
      else fromList(t.uint64Data);
      return { dtype, shape, data };
    default: {
      // int32, int16, int8, uint16, uint8, bool: raw at their width, or widened into int32_data
      const width = type === DT.INT32 ? 4 : type === DT.INT16 || type === DT.UINT16 ? 2 : 1;
      if (view) {
        fromRaw(width, (v, o) => (type === DT.INT32 ? v.getInt32(o, true) : type === DT.INT16 ? v.getInt16(o, true)
          : type === DT.UINT16 ? v.getUint16(o, true) : type === DT.INT8 ? v.getInt8(o) : v.getUint8(o)));
      } else fromList(t.int32Data);
      return { dtype, shape, data };
    }
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

function graphInputs(og: GraphProto): ValueInfoProto[] {
  const inits = new Set((og.initializer ?? []).map((t) => t.name ?? ''));
  return (og.input ?? []).filter((vi) => !inits.has(vi.name ?? ''));
}

function declared(vi: ValueInfoProto): DeclaredInput {
  const tt = vi.type?.tensorType;
  if (!tt || !tt.shape) throw new InputError(`input '${vi.name}' has no tensor type or shape`);
  const shape = (tt.shape.dim ?? []).map((d, i) => {
    const v = d.dimValue !== undefined && d.dimValue !== null ? toNum(d.dimValue as LongLike) : 0;
    // a negative (or absurd) dim is an error of its own, not a symbolic dimension to ask for
    if (v !== 0 && (d.dimParam ?? '') === '' && (!Number.isSafeInteger(v) || v < 0)) {
      throw new InputError(`input '${vi.name}' has dimension ${i} = ${v}; dimensions are positive integers`);
    }
    if (v > 0) checkLimit('dim', v, `input '${vi.name}'`, `dimension ${i}`);
    return v > 0 ? v : d.dimParam || `dim${i}`;
  });
  const elem = tt.elemType ?? DT.FLOAT;
  return { name: vi.name ?? '', shape, elemType: ELEM_NAMES[elem] ?? String(elem) };
}

/** The graph inputs and output names a file declares, without importing it. */
export function onnxSignature(bytes: Uint8Array, file = 'model.onnx'): { inputs: DeclaredInput[]; outputs: string[] } {
  const og = decodeModel(bytes, file).graph!;
  try {
    return { inputs: graphInputs(og).map(declared), outputs: (og.output ?? []).map((o) => o.name ?? '') };
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
}

export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): Graph {
  const file = opts.file ?? 'model.onnx';
  const model = decodeModel(bytes, file);
  const og = model.graph!;
  let opset = 13;
  for (const o of model.opsetImport) if (!o.domain || o.domain === 'ai.onnx') opset = toNum(o.version as LongLike);
  const g = emptyGraph(og.name || file);
  try {
    new Importer(g, og, opset, file, opts).run();
  } catch (err) {
    if (err instanceof InputError && !err.message.startsWith(file)) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
  return g;
}

/** a constant as a graph tensor: scalars become [1]; integers and bools become int64 */
function asTensor(name: string, v: ConstValue, role: TensorInfo['role']): TensorInfo {
  return {
    name, shape: v.shape.length === 0 ? [1] : [...v.shape], role, dtype: v.dtype === 'float' ? 'float32' : 'int64',
    data: v.data instanceof Float32Array ? v.data : Float32Array.from(v.data),
  };
}

class Importer {
  /** every constant: initializers, Constant nodes, folded results */
  private readonly consts = new Map<string, ConstValue>();

  constructor(
    private readonly g: Graph, private readonly og: GraphProto, private readonly opset: number,
    private readonly file: string, private readonly opts: OnnxImportOptions,
  ) {}

  run(): void {
    const { g, og } = this;
    for (const t of og.initializer ?? []) {
      const v = tensorValues(t, this.file);
      const name = t.name ?? '';
      this.consts.set(name, v);
      // an empty initializer (Resize's unused roi) only ever feeds constant folding and attributes
      if (numel(v.shape) > 0) addTensor(g, asTensor(name, v, v.dtype === 'float' ? 'param' : 'const'));
    }
    for (const vi of graphInputs(og)) this.addInput(vi);
    const binary = planBinaryConvs(og, g);
    (og.node ?? []).forEach((n, i) => {
      const b = binary.get(i);
      if (b === 'skip') return;
      if (b) addBinaryConv(g, b);
      else this.importNode(n, i);
    });
    for (const o of og.output ?? []) {
      const oname = o.name ?? '';
      this.materialize(oname);
      if (!g.tensors.has(oname)) throw new InputError(`graph output '${oname}' is never computed`);
      g.outputs.push(oname);
    }
  }

  private addInput(vi: ValueInfoProto): void {
    const d = declared(vi);
    const given = this.opts.inputShapes?.[d.name];
    const dims = this.opts.dims ?? {};
    if (given !== undefined && (given.length !== d.shape.length || given.some((v, i) => typeof d.shape[i] === 'number' && d.shape[i] !== v))) {
      throw new InputError(`input '${d.name}': shape ${shapeStr(given)} does not fit the model's [${d.shape.join(', ')}]`);
    }
    const shape = d.shape.map((s, i) => {
      if (typeof s === 'number') return s;
      if (given !== undefined) return given[i];
      if (dims[s] !== undefined) return dims[s];
      if (i === 0) return 1;
      throw new InputError(`input '${d.name}' has a symbolic dimension ${i} ('${s}'): give its value (--input-shape ${d.name}=${d.shape.map((x) => (typeof x === 'number' ? x : 'N')).join('x')})`);
    });
    for (const v of shape) if (!Number.isInteger(v) || v < 1) throw new InputError(`input '${d.name}': dimension ${v} must be a positive integer`);
    shape.forEach((v, i) => checkLimit('dim', v, `input '${d.name}'`, `dimension ${i}`));
    const elem = vi.type?.tensorType?.elemType ?? DT.FLOAT;
    const dt = dtypeOf(elem);
    if (dt === undefined || (dt === 'float' && elem !== DT.FLOAT)) throw new InputError(`input '${d.name}' has element type ${d.elemType}; supported: float, integers`);
    addTensor(this.g, { name: d.name, shape, role: 'input', dtype: dt === 'float' ? 'float32' : 'int64' });
  }

  /** a folded constant that a graph node reads becomes a graph tensor */
  private materialize(name: string): void {
    if (name === '' || this.g.tensors.has(name)) return;
    const v = this.consts.get(name);
    if (v && numel(v.shape) === 0) throw new InputError(`tensor '${name}' is empty: an empty tensor cannot be an operand`);
    if (v) addTensor(this.g, asTensor(name, v, 'const'));
  }

  private shapeOf(name: string): Shape {
    const c = this.consts.get(name);
    if (c) return c.shape;
    const t = this.g.tensors.get(name);
    if (!t) throw new InputError(`input '${name}' is not defined before this node`);
    return t.shape;
  }

  private importNode(n: NodeProto, index: number): void {
    const op = n.opType ?? '';
    const name = n.name || `${op}_${index}`;
    const where = `node '${name}' (${op})`;
    const bad = (msg: string): never => {
      throw new InputError(`${where}: ${msg}`);
    };
    const outputs = n.output ?? [];
    const out = outputs[0];
    if (!out) bad('no output');
    if (n.domain && n.domain !== 'ai.onnx') bad(`operators of domain '${n.domain}' are not supported`);
    if (op === 'Constant') {
      this.consts.set(out, constantValue(n, where));
      return;
    }
    const inputs = n.input ?? [];
    const given = inputs.filter((s) => s !== '');
    const importer = onnxImporter(op);
    if (SHAPE_ONLY_OPS.has(op) || (given.length > 0 && given.every((s) => this.consts.has(s)))) {
      const vals = foldNode(op, this.foldContext(n, bad));
      if (vals) {
        outputs.forEach((o, i) => {
          if (o !== '' && vals[i]) this.consts.set(o, vals[i]);
        });
        return;
      }
      if (importer) {
        this.foldThroughKernel(n, name, importer, bad);
        return;
      }
    }
    if (importer === undefined) {
      if (FOLDED_ONNX_OPS.includes(op)) {
        const dyn = given.find((s) => !this.consts.has(s)) ?? '';
        bad(`op type '${op}' is supported on constant inputs only (shape and mask subgraphs, evaluated at import), but input '${dyn}' is computed from the graph inputs`);
      }
      return bad(`unsupported op type '${op}'; supported: ${SUPPORTED_ONNX_OPS.join(', ')}; on constant inputs (folded at import): ${FOLDED_ONNX_OPS.join(', ')}`);
    }
    importer(this.onnxContext(this.g, n, name, bad, (t) => this.materialize(t)));
  }

  /** a graph operator on float constants: run through its kernel once, the result a constant */
  private foldThroughKernel(n: NodeProto, name: string, importer: OnnxImporter, bad: (msg: string) => never): void {
    const tg = emptyGraph(`${this.g.name}/fold`);
    for (const s of n.input ?? []) {
      if (s === '' || tg.tensors.has(s)) continue;
      const v = this.consts.get(s)!;
      if (v.dtype !== 'float') bad(`op type '${n.opType}' on integer constants is not supported`);
      addTensor(tg, asTensor(s, v, 'const'));
    }
    importer(this.onnxContext(tg, n, name, bad, () => undefined));
    const produced = (n.output ?? []).filter((o) => o !== '' && tg.tensors.has(o));
    tg.outputs.push(...produced);
    const vals = executeGraph(tg, {});
    for (const o of produced) this.consts.set(o, { dtype: 'float', shape: tg.tensors.get(o)!.shape, data: vals.get(o)! });
  }

  private foldContext(n: NodeProto, bad: (msg: string) => never): FoldContext {
    const inputs = n.input ?? [];
    const input = (i: number) => {
      const s = inputs[i] ?? '';
      return s === '' ? undefined : this.consts.get(s);
    };
    return {
      opset: this.opset,
      input,
      need: (i) => input(i) ?? bad(`input ${i} is required`),
      shapeOf: (i) => this.shapeOf(inputs[i] ?? ''),
      attrInt: (a, def) => attrInt(n, a, def),
      attrFloat: (a, def) => attrFloat(n, a, def),
      attrInts: (a) => attrInts(n, a),
      attrTensor: (a) => {
        const t = attr(n, a)?.t;
        return t ? tensorValues(t, `node '${n.name}'`) : undefined;
      },
      bad,
    };
  }

  private onnxContext(g: Graph, n: NodeProto, name: string, bad: (msg: string) => never, materialize: (t: string) => void): OnnxContext {
    const inputs0 = n.input ?? [];
    const outputs = n.output ?? [];
    const input = (i: number): string => inputs0[i] ?? '';
    const info = (i: number): TensorInfo => {
      materialize(input(i));
      const t = g.tensors.get(input(i));
      if (!t) return bad(`input '${input(i)}' is not defined before this node`);
      return t;
    };
    const constValue = (i: number): ConstValue | undefined => (input(i) === '' ? undefined : this.consts.get(input(i)));
    return {
      g, node: n, opset: this.opset, name, outputs, out: outputs[0],
      input, info,
      rank: (i) => info(i).shape.length,
      isConst: (i) => constValue(i) !== undefined,
      constValue: (i) => constValue(i) ?? bad(`input '${input(i)}' must be a constant (initializer, Constant or a shape computation)`),
      constData: (i) => (constValue(i) ?? bad(`input '${input(i)}' must be a constant (initializer, Constant or a shape computation)`)).data,
      bad,
      defineConst: (cname, v) => {
        this.consts.set(cname, v);
      },
      add: (node) => {
        for (const t of node.inputs) materialize(t);
        return addNode(g, node);
      },
      attrInt: (a, def) => attrInt(n, a, def),
      attrFloat: (a, def) => attrFloat(n, a, def),
      attrInts: (a) => attrInts(n, a),
      attrFloats: (a) => attrFloats(n, a),
      attrString: (a, def) => attrString(n, a, def),
      attrStrings: (a) => attrStrings(n, a),
      isWeight(i) {
        const c = constValue(i);
        return c !== undefined && c.dtype === 'float' && c.shape.length === 2;
      },
      transposedWeight(src) {
        const [k, nn] = src.shape;
        const tName = `${src.name}__T`;
        if (!g.tensors.has(tName)) {
          const data = new Float32Array(k * nn);
          for (let r = 0; r < k; r++) for (let c = 0; c < nn; c++) data[c * k + r] = src.data![r * nn + c];
          addTensor(g, { name: tName, shape: [nn, k], role: 'param', dtype: 'float32', data, derived: true });
        }
        return tName;
      },
      derivedTensor(tName, shape, data) {
        if (!g.tensors.has(tName)) addTensor(g, { name: tName, shape, role: 'param', dtype: 'float32', data, derived: true });
        return tName;
      },
    };
  }
}

function constantValue(n: NodeProto, where: string): ConstValue {
  const a = (n.attribute ?? [])[0];
  if (!a) throw new InputError(`${where}: no value`);
  switch (a.name) {
    case 'value':
      if (!a.t) throw new InputError(`${where}: value is not a tensor`);
      return tensorValues(a.t, where);
    case 'value_float': return { dtype: 'float', shape: [], data: Float32Array.of(a.f ?? 0) };
    case 'value_floats': return { dtype: 'float', shape: [(a.floats ?? []).length], data: Float32Array.from(a.floats ?? []) };
    case 'value_int': return { dtype: 'int', shape: [], data: Float64Array.of(toNum(a.i as LongLike)) };
    case 'value_ints': return { dtype: 'int', shape: [(a.ints ?? []).length], data: Float64Array.from((a.ints ?? []).map((v) => toNum(v as LongLike))) };
    default: throw new InputError(`${where}: a Constant '${a.name}' is not supported (only tensors, floats and ints)`);
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
    if (!g.tensors.has(alpha)) addTensor(g, { name: alpha, shape: [f], role: 'param', dtype: 'float32', data: Float32Array.from(a.data), derived: true });
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
function attrFloats(n: NodeProto, name: string): number[] | undefined {
  const a = attr(n, name);
  return a ? [...(a.floats ?? [])] : undefined;
}
function attrString(n: NodeProto, name: string, def: string): string {
  const a = attr(n, name);
  return a && a.s ? new TextDecoder().decode(a.s) : def;
}
function attrStrings(n: NodeProto, name: string): string[] | undefined {
  const a = attr(n, name);
  return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
}

export type OnnxShape = Shape;
