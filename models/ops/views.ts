/**
 * Views: reshape, flatten, slice, concat, expand, identity. On an accelerator they are address
 * arithmetic (the next operator's address generator reads the tensor differently): lowering
 * maps them to nothing and the network scheduler moves no data for them. A concat's reader
 * reads each branch where it lies; a slice of a weight or graph input reads only its part.
 * ONNX: Reshape, Flatten, Concat, Squeeze / Unsqueeze (as reshapes), Slice (one slice node per
 * sliced axis, steps included), Split (one slice per output), Expand, Identity, Dropout
 * (inference: the identity) and Cast between float types (fp32 throughout: the identity).
 */
import { sliceBounds } from '../import/const-eval.ts';
import { broadcastOffsets } from '../exec/kernel-util.ts';
import { broadcastShapes, normAxis, numel, shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { Lowering, OnnxContext, OperatorDef } from './types.ts';

/** target shape; 0 copies the input dim, -1 is inferred (ONNX semantics) */
export interface ReshapeNode extends NodeBase {
  readonly op: 'reshape';
  readonly shape: readonly number[];
}

export interface FlattenNode extends NodeBase {
  readonly op: 'flatten';
  readonly axis: number;
}

/** x[..., start:end:step, ...] along one axis (ONNX Slice semantics: clamped, negative steps walk backwards) */
export interface SliceNode extends NodeBase {
  readonly op: 'slice';
  readonly axis: number;
  readonly start: number;
  readonly end: number;
  /** default 1 */
  readonly step?: number;
}

export interface ConcatNode extends NodeBase {
  readonly op: 'concat';
  readonly axis: number;
}

/** numpy broadcast of x to `shape` */
export interface ExpandNode extends NodeBase {
  readonly op: 'expand';
  readonly shape: readonly number[];
}

export interface IdentityNode extends NodeBase {
  readonly op: 'identity';
}

const VIEW: Lowering = { mapping: 'view', detail: 'view (address arithmetic, no data movement)' };

/** first index and element count of a slice along an axis of size `dim` */
function sliceRange(node: SliceNode, dim: number): { start: number; count: number } {
  return sliceBounds(dim, node.start, node.end, node.step ?? 1);
}

export const RESHAPE: OperatorDef<ReshapeNode> = {
  ops: ['reshape'],
  inferShape(s, node) {
    const x = s.sh(0);
    const out = node.shape.map((d, i) => (d === 0 ? x[i] : d));
    const known = out.filter((d) => d !== -1);
    const free = out.length - known.length;
    if (free > 1) s.fail(`more than one -1 in ${shapeStr(node.shape)}`);
    const total = numel(x);
    const kn = numel(known);
    if (free === 1) {
      if (kn === 0 || total % kn !== 0) s.fail(`cannot reshape ${shapeStr(x)} to ${shapeStr(node.shape)}`);
      out[out.indexOf(-1)] = total / kn;
    }
    if (out.some((d) => d === undefined || !Number.isInteger(d) || d < 1) || numel(out) !== total) {
      s.fail(`cannot reshape ${shapeStr(x)} (${total} elements) to ${shapeStr(node.shape)}`);
    }
    return out;
  },
  lower: () => VIEW,
  kernel: (ctx) => ctx.val(0),
  scratchpad: { view: 'first' },
  onnx: {
    Reshape(ctx) {
      if (ctx.attrInt('allowzero', 0) !== 0) ctx.bad('allowzero = 1 is not supported');
      ctx.add({ op: 'reshape', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, shape: Array.from(ctx.constData(1)) });
    },
    Unsqueeze: (ctx) => squeeze(ctx, true),
    Squeeze: (ctx) => squeeze(ctx, false),
  },
};

function squeeze(ctx: OnnxContext, unsqueeze: boolean): void {
  const x = ctx.info(0).shape;
  const axes = ctx.opset >= 13 ? (ctx.input(1) !== '' ? Array.from(ctx.constData(1)) : undefined) : ctx.attrInts('axes');
  let shape: number[];
  if (unsqueeze) {
    if (!axes) return ctx.bad('axes are required');
    const r = x.length + axes.length;
    const norm = new Set(axes.map((a) => (a < 0 ? a + r : a)));
    shape = [];
    let j = 0;
    for (let i = 0; i < r; i++) shape.push(norm.has(i) ? 1 : x[j++]);
  } else {
    const norm = axes ? new Set(axes.map((a) => (a < 0 ? a + x.length : a))) : undefined;
    for (const a of norm ?? []) if (x[a] !== 1) ctx.bad(`cannot squeeze axis ${a} of size ${x[a]}`);
    shape = x.filter((d, i) => (norm ? !norm.has(i) : d !== 1));
    if (shape.length === 0) shape = [1];
  }
  ctx.add({ op: 'reshape', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, shape });
}

export const FLATTEN: OperatorDef<FlattenNode> = {
  ops: ['flatten'],
  inferShape(s, node) {
    const x = s.sh(0);
    const axis = node.axis < 0 ? node.axis + x.length : node.axis;
    if (axis < 0 || axis > x.length) s.fail(`axis ${node.axis} out of range`);
    return [numel(x.slice(0, axis)), numel(x.slice(axis))];
  },
  lower: () => VIEW,
  kernel: (ctx) => ctx.val(0),
  scratchpad: { view: 'first' },
  onnx: {
    Flatten: (ctx) => ctx.add({ op: 'flatten', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, axis: ctx.attrInt('axis', 1) }),
  },
};

export const SLICE: OperatorDef<SliceNode> = {
  ops: ['slice'],
  inferShape(s, node) {
    const x = s.sh(0);
    const axis = normAxis(node, node.axis, x.length);
    const d = x[axis];
    if ((node.step ?? 1) === 0) s.fail('step 0');
    const { count } = sliceRange(node, d);
    if (count <= 0) s.fail(`empty slice [${node.start}:${node.end}:${node.step ?? 1}] of axis ${axis} (size ${d})`);
    const out = [...x];
    out[axis] = count;
    return out;
  },
  lower: () => VIEW,
  kernel(ctx, node) {
    const x = ctx.val(0);
    const xs = ctx.shp(0);
    const axis = node.axis < 0 ? node.axis + xs.length : node.axis;
    const { start, count } = sliceRange(node, xs[axis]);
    const step = node.step ?? 1;
    const outer = numel(xs.slice(0, axis));
    const inner = numel(xs.slice(axis + 1));
    const o = new Float32Array(ctx.outN);
    for (let a = 0; a < outer; a++) {
      if (step === 1) {
        o.set(x.subarray((a * xs[axis] + start) * inner, (a * xs[axis] + start + count) * inner), a * count * inner);
        continue;
      }
      for (let c = 0; c < count; c++) {
        const src = (a * xs[axis] + start + c * step) * inner;
        o.set(x.subarray(src, src + inner), (a * count + c) * inner);
      }
    }
    return o;
  },
  scratchpad: {
    view: 'first',
    // a slice of a weight or graph input (BERT's position table) reads only its part
    partialRead: (g, node, slot) => (slot === 0 ? numel(tensor(g, node.output).shape) : undefined),
  },
  onnx: {
    Slice: importSlice,
    Split: importSplit,
  },
};

/** ONNX Slice on a computed tensor: one slice node per axis it cuts (the last one named as the ONNX node) */
function importSlice(ctx: OnnxContext): void {
  const x = ctx.info(0).shape;
  const r = x.length;
  const list = (i: number, attr: string): number[] | undefined =>
    ctx.opset < 10 ? ctx.attrInts(attr) : ctx.input(i) !== '' ? Array.from(ctx.constData(i)) : undefined;
  const starts = list(1, 'starts') ?? ctx.bad('starts are required');
  const ends = list(2, 'ends') ?? ctx.bad('ends are required');
  const axes = list(3, 'axes') ?? starts.map((_, i) => i);
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  const cuts = starts.map((start, i) => ({ axis: normAxis({ name: ctx.name, op: 'Slice' }, axes[i], r), start, end: ends[i], step: steps[i] }))
    // a slice that keeps the whole axis in order is no cut
    .filter((c) => {
      const b = sliceBounds(x[c.axis], c.start, c.end, c.step);
      return !(c.step === 1 && b.start === 0 && b.count === x[c.axis]);
    });
  if (cuts.length === 0) {
    identity(ctx);
    return;
  }
  let cur = ctx.input(0);
  cuts.forEach((c, i) => {
    const last = i === cuts.length - 1;
    const name = last ? ctx.name : `${ctx.name}/axis${c.axis}`;
    const output = last ? ctx.out : `${ctx.out}__axis${c.axis}`;
    cur = ctx.add({ op: 'slice', name, inputs: [cur], output, axis: c.axis, start: c.start, end: c.end, step: c.step }).name;
  });
}

/** ONNX Split: one slice node per output */
function importSplit(ctx: OnnxContext): void {
  const x = ctx.info(0).shape;
  const axis = normAxis({ name: ctx.name, op: 'Split' }, ctx.attrInt('axis', 0), x.length);
  const outs = ctx.outputs;
  let sizes: number[] | undefined = ctx.opset >= 13 ? (ctx.input(1) !== '' ? Array.from(ctx.constData(1)) : undefined) : ctx.attrInts('split');
  if (sizes === undefined) {
    // equal parts; the last one smaller when the axis does not divide (opset 18's num_outputs)
    const parts = ctx.attrInt('num_outputs', outs.length);
    const each = Math.ceil(x[axis] / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(each, x[axis] - i * each));
  }
  if (sizes.length !== outs.length) ctx.bad(`${sizes.length} split sizes for ${outs.length} outputs`);
  if (sizes.reduce((a, b) => a + b, 0) !== x[axis]) ctx.bad(`split sizes ${shapeStr(sizes)} do not add up to axis ${axis} of size ${x[axis]}`);
  let start = 0;
  sizes.forEach((size, i) => {
    if (outs[i] !== '') {
      ctx.add({ op: 'slice', name: i === 0 ? ctx.name : `${ctx.name}/${i}`, inputs: [ctx.input(0)], output: outs[i], axis, start, end: start + size });
    }
    start += size;
  });
}

export const CONCAT: OperatorDef<ConcatNode> = {
  ops: ['concat'],
  inferShape(s, node) {
    if (node.inputs.length < 1) s.fail('no inputs');
    const first = s.sh(0);
    const axis = normAxis(node, node.axis, first.length);
    const out = [...first];
    for (let i = 1; i < node.inputs.length; i++) {
      const x = s.sh(i);
      if (x.length !== first.length || x.some((d, j) => j !== axis && d !== first[j])) {
        s.fail(`input '${node.inputs[i]}' ${shapeStr(x)} does not match ${shapeStr(first)} outside axis ${axis}`);
      }
      out[axis] += x[axis];
    }
    return out;
  },
  lower: () => VIEW,
  kernel(ctx, node) {
    const { outShape, outN } = ctx;
    const axis = node.axis < 0 ? node.axis + outShape.length : node.axis;
    const outer = numel(outShape.slice(0, axis));
    const inner = numel(outShape.slice(axis + 1));
    const o = new Float32Array(outN);
    let pos = 0;
    node.inputs.forEach((_, i) => {
      const x = ctx.val(i);
      const len = ctx.shp(i)[axis] * inner;
      for (let a = 0; a < outer; a++) o.set(x.subarray(a * len, (a + 1) * len), a * outShape[axis] * inner + pos);
      pos += len;
    });
    return o;
  },
  scratchpad: { view: 'all' },
  onnx: {
    Concat: (ctx) => ctx.add({ op: 'concat', name: ctx.name, inputs: ctx.node.input?.filter((s) => s !== '') ?? [], output: ctx.out, axis: ctx.attrInt('axis', 0) }),
  },
};

export const EXPAND: OperatorDef<ExpandNode> = {
  ops: ['expand'],
  inferShape: (s, node) => broadcastShapes(node, s.sh(0), node.shape),
  onnx: {
    Expand: (ctx) => ctx.add({ op: 'expand', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, shape: Array.from(ctx.constData(1)) }),
  },
  lower: () => VIEW,
  kernel(ctx) {
    const x = ctx.val(0);
    const off = broadcastOffsets(ctx.outShape, ctx.shp(0));
    const o = new Float32Array(ctx.outN);
    for (let i = 0; i < ctx.outN; i++) o[i] = x[off[i]];
    return o;
  },
  scratchpad: { view: 'first' },
};

const identity = (ctx: OnnxContext) => ctx.add({ op: 'identity', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out });

export const IDENTITY: OperatorDef<IdentityNode> = {
  ops: ['identity'],
  inferShape: (s) => [...s.sh(0)],
  lower: () => VIEW,
  kernel: (ctx) => ctx.val(0),
  scratchpad: { view: 'first' },
  onnx: {
    Identity: identity,
    Dropout(ctx) {
      // the identity in inference, and in training mode with ratio 0 (torchvision's Swin exports that)
      const training = ctx.input(2) !== '' && (!ctx.isConst(2) || ctx.constData(2)[0] !== 0);
      const ratio = ctx.input(1) === '' ? 0.5 : ctx.isConst(1) ? ctx.constData(1)[0] : NaN;
      if (training && ratio !== 0) ctx.bad('training mode with a ratio other than 0 is not supported (inference: the identity)');
      // in inference the mask keeps everything
      const mask = ctx.outputs[1] ?? '';
      if (mask !== '') {
        const shape = ctx.info(0).shape;
        ctx.defineConst(mask, { dtype: 'bool', shape, data: new Float64Array(numel(shape)).fill(1) });
      }
      identity(ctx);
    },
    Cast(ctx) {
      // 1 float, 10 float16, 11 double: the machine carries fp32 values (float16 / double only in folded constants)
      const to = ctx.attrInt('to', 1);
      if (to !== 1 && to !== 11) ctx.bad(`a cast of a computed tensor to data type ${to} is not supported (only to float)`);
      identity(ctx);
    },
  },
};
