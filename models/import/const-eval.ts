/**
 * Constant folding at import: ONNX operators evaluated on constant inputs, with ONNX's own
 * semantics per data type. PyTorch exports carry shape subgraphs even for static shapes
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, masks built with Range / Equal / Where,
 * Swin's shifted-window masks with ScatterND); with the input shapes fixed they are constants,
 * and the importer evaluates them here instead of putting them on the machine.
 *
 * Values: `float` (ONNX float, double, float16: every result rounded to fp32, as onnxruntime
 * computes in fp32), `int` (any integer type: exact integers in a float64; int64 values beyond
 * 2^53, such as INT64_MAX as a Slice end, only serve as clamps), `bool` (0 / 1).
 * Integer Div truncates toward zero and Mod follows its `fmod` attribute, as the spec says.
 */
import { InputError } from '../../sim/errors.ts';
import { decode, encode } from '../../sim/pe/codec.ts';
import { FP16 } from '../../sim/pe/formats.ts';
import { broadcastOffsets, stridedOffsets, strides } from '../exec/kernel-util.ts';
import { numel, type Shape } from '../graph.ts';

export type ConstDType = 'float' | 'int' | 'bool';

export interface ConstValue {
  readonly dtype: ConstDType;
  /** [] for a scalar */
  readonly shape: Shape;
  readonly data: ArrayLike<number>;
}

/** What an evaluator sees of one ONNX node. */
export interface FoldContext {
  readonly opset: number;
  /** input i ('' or missing: undefined) */
  input(i: number): ConstValue | undefined;
  /** input i, which must be given */
  need(i: number): ConstValue;
  /** static shape of input i (Shape and Size need no values) */
  shapeOf(i: number): Shape;
  attrInt(name: string, def: number): number;
  attrFloat(name: string, def: number): number;
  attrInts(name: string): number[] | undefined;
  /** a tensor-valued attribute (ConstantOfShape's value) */
  attrTensor(name: string): ConstValue | undefined;
  bad(msg: string): never;
}

type Evaluator = (ctx: FoldContext) => ConstValue[];

/** ONNX TensorProto data types */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13 } as const;

export function dtypeOf(onnxType: number): ConstDType | undefined {
  switch (onnxType) {
    case DT.FLOAT: case DT.DOUBLE: case DT.FLOAT16: return 'float';
    case DT.BOOL: return 'bool';
    case DT.UINT8: case DT.INT8: case DT.UINT16: case DT.INT16: case DT.INT32: case DT.INT64: case DT.UINT32: case DT.UINT64: return 'int';
    default: return undefined;
  }
}

const value = (dtype: ConstDType, shape: Shape, data: ArrayLike<number>): ConstValue => ({ dtype, shape: [...shape], data });

function ints(v: ConstValue, what: string, ctx: FoldContext): number[] {
  if (v.dtype === 'float') ctx.bad(`${what} must be an integer tensor`);
  return Array.from(v.data);
}

/** Rounds a result into its type: fp32 for floats, exact integers (truncated) for ints, 0/1 for bools. */
function into(dtype: ConstDType, x: number): number {
  if (dtype === 'float') return Math.fround(x);
  if (dtype === 'bool') return x !== 0 ? 1 : 0;
  return Math.trunc(x);
}

function broadcastAll(ctx: FoldContext, shapes: readonly Shape[]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - r + i] ?? 1;
      if (v !== 1) {
        if (d !== 1 && d !== v) ctx.bad(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} do not broadcast`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** element-wise over broadcast inputs */
function elementwise(ctx: FoldContext, inputs: readonly ConstValue[], dtype: ConstDType, f: (...x: number[]) => number): ConstValue {
  const shape = broadcastAll(ctx, inputs.map((v) => v.shape));
  const n = numel(shape);
  const offs = inputs.map((v) => broadcastOffsets(shape, v.shape));
  const out = new Float64Array(n);
  const args = new Array<number>(inputs.length);
  for (let e = 0; e < n; e++) {
    for (let j = 0; j < inputs.length; j++) args[j] = inputs[j].data[offs[j][e]];
    out[e] = into(dtype, f(...args));
  }
  return value(dtype, shape, out);
}

/** the type two operands share (ONNX requires equal types; a bool with a bool stays bool) */
function common(ctx: FoldContext, a: ConstValue, b: ConstValue): ConstDType {
  if (a.dtype !== b.dtype) ctx.bad(`operand types differ (${a.dtype} and ${b.dtype})`);
  return a.dtype;
}

function arith(f: (a: number, b: number, dtype: ConstDType) => number): Evaluator {
  return (ctx) => {
    const a = ctx.need(0), b = ctx.need(1);
    const dt = common(ctx, a, b);
    return [elementwise(ctx, [a, b], dt, (x, y) => f(x, y, dt))];
  };
}

function compare(f: (a: number, b: number) => boolean): Evaluator {
  return (ctx) => {
    const a = ctx.need(0), b = ctx.need(1);
    common(ctx, a, b);
    return [elementwise(ctx, [a, b], 'bool', (x, y) => (f(x, y) ? 1 : 0))];
  };
}

function unary(f: (x: number) => number, floatOnly = false): Evaluator {
  return (ctx) => {
    const x = ctx.need(0);
    if (floatOnly && x.dtype !== 'float') ctx.bad('expects a float tensor');
    return [elementwise(ctx, [x], x.dtype, f)];
  };
}

function normAxis(ctx: FoldContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.bad(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

function reshapeTo(ctx: FoldContext, x: ConstValue, target: readonly number[], allowZero: boolean): ConstValue {
  const out = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const free = out.indexOf(-1);
  const known = numel(out.filter((d) => d !== -1));
  const n = numel(x.shape);
  if (free >= 0) {
    if (out.lastIndexOf(-1) !== free || known === 0 || n % known !== 0) ctx.bad(`cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
    out[free] = n / known;
  }
  if (out.some((d) => d === undefined || d < 0) || numel(out) !== n) ctx.bad(`cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
  return value(x.dtype, out, x.data);
}

function transpose(x: ConstValue, perm: readonly number[]): ConstValue {
  const shape = perm.map((p) => x.shape[p]);
  const st = strides(x.shape);
  const off = stridedOffsets(shape, perm.map((p) => st[p]));
  return value(x.dtype, shape, Float64Array.from(off, (o) => x.data[o]));
}

/** Slice along several axes (ONNX Slice semantics: clamping, negative steps). */
export function sliceBounds(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (step === 0) throw new InputError('slice step 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
  }
  s = Math.min(Math.max(s, -1), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

function slice(ctx: FoldContext, x: ConstValue): ConstValue {
  const r = x.shape.length;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrInts('starts') ?? ctx.bad('starts are required');
    ends = ctx.attrInts('ends') ?? ctx.bad('ends are required');
    axes = ctx.attrInts('axes');
  } else {
    starts = ints(ctx.need(1), 'starts', ctx);
    ends = ints(ctx.need(2), 'ends', ctx);
    const a = ctx.input(3), s = ctx.input(4);
    axes = a ? ints(a, 'axes', ctx) : undefined;
    steps = s ? ints(s, 'steps', ctx) : undefined;
  }
  const first = Array.from({ length: r }, () => 0), step = Array.from({ length: r }, () => 1);
  const shape = [...x.shape];
  starts.forEach((st, i) => {
    const ax = normAxis(ctx, axes ? axes[i] : i, r);
    const b = sliceBounds(x.shape[ax], st, ends[i], steps ? steps[i] : 1);
    first[ax] = b.start;
    step[ax] = steps ? steps[i] : 1;
    shape[ax] = b.count;
  });
  const st = strides(x.shape);
  let base = 0;
  for (let d = 0; d < r; d++) base += first[d] * st[d];
  const off = stridedOffsets(shape, st.map((s, d) => s * step[d]));
  return value(x.dtype, shape, Float64Array.from(off, (o) => x.data[base + o]));
}

function gather(ctx: FoldContext): ConstValue {
  const x = ctx.need(0), ind = ctx.need(1);
  const r = x.shape.length;
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), r);
  const dim = x.shape[axis];
  const idx = ints(ind, 'indices', ctx).map((i) => {
    const j = i < 0 ? i + dim : i;
    if (j < 0 || j >= dim) ctx.bad(`index ${i} out of range for axis ${axis} of size ${dim}`);
    return j;
  });
  const outer = numel(x.shape.slice(0, axis)), inner = numel(x.shape.slice(axis + 1));
  const shape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
  const out = new Float64Array(numel(shape));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const j of idx) {
      const base = (a * dim + j) * inner;
      for (let i = 0; i < inner; i++) out[o++] = x.data[base + i];
    }
  }
  return value(x.dtype, shape, out);
}

function concat(ctx: FoldContext, n: number): ConstValue {
  const parts: ConstValue[] = [];
  for (let i = 0; i < n; i++) {
    const v = ctx.input(i);
    if (v) parts.push(v);
  }
  if (parts.length === 0) ctx.bad('no inputs');
  const r = parts[0].shape.length;
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), r);
  const shape = [...parts[0].shape];
  shape[axis] = 0;
  for (const p of parts) {
    if (p.shape.length !== r || p.shape.some((d, j) => j !== axis && d !== parts[0].shape[j])) ctx.bad('input shapes differ outside the concat axis');
    shape[axis] += p.shape[axis];
  }
  const outer = numel(shape.slice(0, axis)), inner = numel(shape.slice(axis + 1));
  const out = new Float64Array(numel(shape));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const p of parts) {
      const len = p.shape[axis] * inner;
      for (let i = 0; i < len; i++) out[o++] = p.data[a * len + i];
    }
  }
  return value(parts[0].dtype, shape, out);
}

function unsqueezeAxes(ctx: FoldContext): number[] {
  if (ctx.opset >= 13) return ints(ctx.need(1), 'axes', ctx);
  return ctx.attrInts('axes') ?? ctx.bad('axes are required');
}

function castTo(ctx: FoldContext): ConstValue {
  const x = ctx.need(0);
  const to = ctx.attrInt('to', DT.FLOAT);
  const dt = dtypeOf(to) ?? ctx.bad(`cast to data type ${to} is not supported`);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i];
    if (to === DT.FLOAT16) out[i] = decode(FP16, encode(FP16, v));
    else out[i] = into(dt, v);
  }
  return value(dt, x.shape, out);
}

function range(ctx: FoldContext): ConstValue {
  const [s, l, d] = [0, 1, 2].map((i) => ctx.need(i));
  const start = s.data[0], limit = l.data[0], delta = d.data[0];
  if (delta === 0) ctx.bad('delta is 0');
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  if (n > 1 << 24) ctx.bad(`${n} elements is more than a constant range may have`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = into(s.dtype, start + i * delta);
  return value(s.dtype, [n], out);
}

function scatterNd(ctx: FoldContext): ConstValue {
  const data = ctx.need(0), indices = ctx.need(1), updates = ctx.need(2);
  const red = ctx.attrInt('reduction', 0);
  if (red !== 0) ctx.bad('only reduction none is supported');
  const out = Float64Array.from(data.data);
  const k = indices.shape[indices.shape.length - 1];
  const st = strides(data.shape);
  const slice = numel(data.shape.slice(k));
  const nIdx = numel(indices.shape.slice(0, -1));
  if (k > data.shape.length || numel(updates.shape) !== nIdx * slice) {
    ctx.bad(`updates [${updates.shape.join(', ')}] do not fit indices [${indices.shape.join(', ')}] into data [${data.shape.join(', ')}]`);
  }
  for (let i = 0; i < nIdx; i++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const dim = data.shape[j];
      let v = indices.data[i * k + j];
      if (v < 0) v += dim;
      if (v < 0 || v >= dim) ctx.bad(`index ${indices.data[i * k + j]} out of range for axis ${j} of size ${dim}`);
      off += v * st[j];
    }
    for (let e = 0; e < slice; e++) out[off + e] = updates.data[i * slice + e];
  }
  return value(data.dtype, data.shape, out);
}

function reduce(kind: 'sum' | 'mean' | 'max' | 'min' | 'prod'): Evaluator {
  return (ctx) => {
    const x = ctx.need(0);
    const r = x.shape.length;
    const axesIn = ctx.input(1);
    let axes = axesIn ? ints(axesIn, 'axes', ctx) : ctx.attrInts('axes');
    if (!axes || axes.length === 0) {
      if (ctx.attrInt('noop_with_empty_axes', 0) === 1) return [x];
      axes = Array.from({ length: r }, (_, i) => i);
    }
    const set = new Set(axes.map((a) => normAxis(ctx, a, r)));
    const keep = ctx.attrInt('keepdims', 1) === 1;
    const outShape = x.shape.map((d, i) => (set.has(i) ? 1 : d));
    const n = numel(outShape);
    const acc = new Float64Array(n).fill(kind === 'max' ? -Infinity : kind === 'min' ? Infinity : kind === 'prod' ? 1 : 0);
    const off = broadcastOffsets(x.shape, outShape);
    for (let e = 0; e < x.data.length; e++) {
      const v = x.data[e], o = off[e];
      acc[o] = kind === 'max' ? Math.max(acc[o], v) : kind === 'min' ? Math.min(acc[o], v) : kind === 'prod' ? acc[o] * v : acc[o] + v;
    }
    const count = x.data.length / Math.max(1, n);
    for (let i = 0; i < n; i++) acc[i] = into(x.dtype, kind === 'mean' ? acc[i] / count : acc[i]);
    return [value(x.dtype, keep ? outShape : x.shape.filter((_, i) => !set.has(i)), acc)];
  };
}

const EVALUATORS: Readonly<Record<string, Evaluator>> = {
  Identity: (ctx) => [ctx.need(0)],
  Dropout: (ctx) => [ctx.need(0)],
  Cast: (ctx) => [castTo(ctx)],
  Shape(ctx) {
    const s = ctx.shapeOf(0);
    const r = s.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const start = clamp(ctx.attrInt('start', 0)), end = clamp(ctx.attrInt('end', r));
    const dims = s.slice(start, Math.max(start, end));
    return [value('int', [dims.length], Float64Array.from(dims))];
  },
  Size: (ctx) => [value('int', [], Float64Array.of(numel(ctx.shapeOf(0))))],
  Gather: (ctx) => [gather(ctx)],
  Unsqueeze(ctx) {
    const x = ctx.need(0);
    const axes = unsqueezeAxes(ctx);
    const r = x.shape.length + axes.length;
    const set = new Set(axes.map((a) => normAxis(ctx, a, r)));
    const shape: number[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) shape.push(set.has(i) ? 1 : x.shape[j++]);
    return [value(x.dtype, shape, x.data)];
  },
  Squeeze(ctx) {
    const x = ctx.need(0);
    const given = ctx.opset >= 13 ? ctx.input(1) : undefined;
    const axes = ctx.opset >= 13 ? (given ? ints(given, 'axes', ctx) : undefined) : ctx.attrInts('axes');
    const set = axes ? new Set(axes.map((a) => normAxis(ctx, a, x.shape.length))) : undefined;
    for (const a of set ?? []) if (x.shape[a] !== 1) ctx.bad(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
    return [value(x.dtype, x.shape.filter((d, i) => (set ? !set.has(i) : d !== 1)), x.data)];
  },
  Concat: (ctx) => [concat(ctx, 64)],
  ConstantOfShape(ctx) {
    const shape = ints(ctx.need(0), 'shape', ctx);
    const v = ctx.attrTensor('value') ?? value('float', [1], [0]);
    if (numel(shape) > 1 << 26) ctx.bad(`a constant of ${numel(shape)} elements is too large`);
    return [value(v.dtype, shape, new Float64Array(numel(shape)).fill(v.data[0] ?? 0))];
  },
  Expand(ctx) {
    const x = ctx.need(0);
    const shape = ints(ctx.need(1), 'shape', ctx);
    const out = broadcastAll(ctx, [x.shape, shape]);
    const off = broadcastOffsets(out, x.shape);
    return [value(x.dtype, out, Float64Array.from(off, (o) => x.data[o]))];
  },
  Range: (ctx) => [range(ctx)],
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  LessOrEqual: compare((a, b) => a <= b),
  Greater: compare((a, b) => a > b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: compare((a, b) => a !== 0 && b !== 0),
  Or: compare((a, b) => a !== 0 || b !== 0),
  Xor: compare((a, b) => (a !== 0) !== (b !== 0)),
  Not: (ctx) => [elementwise(ctx, [ctx.need(0)], 'bool', (x) => (x === 0 ? 1 : 0))],
  Where(ctx) {
    const c = ctx.need(0), a = ctx.need(1), b = ctx.need(2);
    return [elementwise(ctx, [c, a, b], common(ctx, a, b), (cv, x, y) => (cv !== 0 ? x : y))];
  },
  Add: arith((a, b) => a + b),
  Sub: arith((a, b) => a - b),
  Mul: arith((a, b) => a * b),
  Div: arith((a, b, dt) => (dt === 'int' ? Math.trunc(a / b) : a / b)),
  Mod(ctx) {
    const fmod = ctx.attrInt('fmod', 0) === 1;
    const a = ctx.need(0), b = ctx.need(1);
    const dt = common(ctx, a, b);
    if (dt === 'float' && !fmod) ctx.bad('float Mod needs fmod = 1');
    // fmod: the sign of the dividend (C fmod); otherwise the sign of the divisor (Python's %)
    return [elementwise(ctx, [a, b], dt, (x, y) => {
      const r = x % y;
      return fmod || r === 0 || Math.sign(r) === Math.sign(y) ? r : r + y;
    })];
  },
  Pow(ctx) {
    const a = ctx.need(0), b = ctx.need(1);
    return [elementwise(ctx, [a, b], a.dtype, (x, y) => (y === 2 ? x * x : Math.pow(x, y)))];
  },
  Min: (ctx) => [elementwise(ctx, [ctx.need(0), ctx.need(1)], ctx.need(0).dtype, Math.min)],
  Max: (ctx) => [elementwise(ctx, [ctx.need(0), ctx.need(1)], ctx.need(0).dtype, Math.max)],
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Sign: unary(Math.sign),
  Sqrt: unary(Math.sqrt, true),
  Exp: unary(Math.exp, true),
  Log: unary(Math.log, true),
  Reciprocal: unary((x) => 1 / x, true),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Reshape(ctx) {
    const x = ctx.need(0);
    return [reshapeTo(ctx, x, ints(ctx.need(1), 'shape', ctx), ctx.attrInt('allowzero', 0) === 1)];
  },
  Flatten(ctx) {
    const x = ctx.need(0);
    const r = x.shape.length;
    const a = ctx.attrInt('axis', 1);
    const axis = a < 0 ? a + r : a;
    return [value(x.dtype, [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))], x.data)];
  },
  Transpose(ctx) {
    const x = ctx.need(0);
    const perm = ctx.attrInts('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    return [transpose(x, perm)];
  },
  Slice: (ctx) => [slice(ctx, ctx.need(0))],
  ScatterND: (ctx) => [scatterNd(ctx)],
  ReduceSum: reduce('sum'),
  ReduceMean: reduce('mean'),
  ReduceMax: reduce('max'),
  ReduceMin: reduce('min'),
  ReduceProd: reduce('prod'),
};

/** The ONNX operator types this module folds, sorted. */
export function foldableOps(): string[] {
  return Object.keys(EVALUATORS).sort();
}

/** Operators whose value needs only the static shape of their input, not its data. */
export const SHAPE_ONLY_OPS: ReadonlySet<string> = new Set(['Shape', 'Size']);

/** The outputs of a constant ONNX node, or undefined when this module does not fold its type. */
export function foldNode(opType: string, ctx: FoldContext): ConstValue[] | undefined {
  const f = EVALUATORS[opType];
  return f ? f(ctx) : undefined;
}
