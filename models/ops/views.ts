/**
 * Views: reshape, flatten, slice, concat, expand, identity. On an accelerator they are address
 * arithmetic (the next operator's address generator reads the tensor differently): lowering
 * maps them to nothing and the network scheduler moves no data for them. A concat's reader
 * reads each branch where it lies; a slice of a weight or graph input reads only its part.
 * ONNX: Reshape, Flatten, Concat, Squeeze / Unsqueeze (as reshapes), Identity and Dropout
 * (inference: the identity).
 */
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

/** x[..., start:end, ...] along one axis, step 1 */
export interface SliceNode extends NodeBase {
  readonly op: 'slice';
  readonly axis: number;
  readonly start: number;
  readonly end: number;
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

/** [start, end) of a slice along an axis of size `dim` (negative indices count from the end, clamped) */
export function sliceRange(node: SliceNode, dim: number): [number, number] {
  const s = Math.max(0, Math.min(dim, node.start < 0 ? node.start + dim : node.start));
  const e = Math.max(0, Math.min(dim, node.end < 0 ? node.end + dim : node.end));
  return [s, e];
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
    const [st, e] = sliceRange(node, d);
    if (e <= st) s.fail(`empty slice [${node.start}:${node.end}] of axis ${axis} (size ${d})`);
    const out = [...x];
    out[axis] = e - st;
    return out;
  },
  lower: () => VIEW,
  kernel(ctx, node) {
    const x = ctx.val(0);
    const xs = ctx.shp(0);
    const axis = node.axis < 0 ? node.axis + xs.length : node.axis;
    const [s, e] = sliceRange(node, xs[axis]);
    const outer = numel(xs.slice(0, axis));
    const inner = numel(xs.slice(axis + 1));
    const o = new Float32Array(ctx.outN);
    for (let a = 0; a < outer; a++) {
      o.set(x.subarray((a * xs[axis] + s) * inner, (a * xs[axis] + e) * inner), a * (e - s) * inner);
    }
    return o;
  },
  scratchpad: {
    view: 'first',
    // a slice of a weight or graph input (BERT's position table) reads only its part
    partialRead: (g, node, slot) => (slot === 0 ? numel(tensor(g, node.output).shape) : undefined),
  },
};

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
      if (ctx.outputs.length > 1 && ctx.outputs[1] !== '') ctx.bad('the mask output is not supported');
      identity(ctx);
    },
  },
};
