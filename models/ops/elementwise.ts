/**
 * Element-wise add, sub, mul, div, pow, min, max with numpy broadcasting; on the vector unit,
 * each result rounded once into the vector format (pow(x, 2) is x * x, exactly as a multiply).
 */
import { broadcastOffsets, broadcastPlan, sameShape, type BroadcastPlan } from '../exec/kernel-util.ts';
import { broadcastShapes, type NodeBase } from '../graph.ts';
import type { OnnxContext, OperatorDef } from './types.ts';
import { vectorRows, type BinaryOp } from '../exec/wasm/vector-rows.ts';

export interface BinaryNode extends NodeBase {
  readonly op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'min' | 'max';
}

const FUNCTIONS: Readonly<Record<BinaryNode['op'], (x: number, y: number) => number>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => (y === 2 ? x * x : Math.pow(x, y)),
  // NaN propagates (ONNX Min / Max)
  min: (x, y) => (x !== x || y !== y ? NaN : x < y ? x : y),
  max: (x, y) => (x !== x || y !== y ? NaN : x > y ? x : y),
};

/** Broadcast offsets of an input (shared, computed once per shape pair), undefined for the output's own shape. */
function offsetsOf(outShape: readonly number[], inShape: readonly number[]): Int32Array | undefined {
  return sameShape(inShape, outShape) ? undefined : broadcastOffsets(outShape, inShape);
}

type Fp32Loop = (a: Float32Array, b: Float32Array, p: BroadcastPlan | undefined, o: Float32Array) => void;

/**
 * add, sub, mul, div with fp32 rounding (storing into a Float32Array is the one rounding), one
 * loop each: element by element for operands of the output's shape, else over the broadcast's
 * rows (no call and no offset lookup per element).
 */
const FP32_LOOPS: Readonly<Record<BinaryOp, Fp32Loop>> = {
  add: (a, b, p, o) => {
    if (!p) for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i];
    else {
      const { outer, len, bases: [ab, bb], steps: [as, bs] } = p;
      for (let r = 0, q = 0; r < outer; r++) for (let j = 0, ia = ab[r], ib = bb[r]; j < len; j++, ia += as, ib += bs) o[q++] = a[ia] + b[ib];
    }
  },
  sub: (a, b, p, o) => {
    if (!p) for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i];
    else {
      const { outer, len, bases: [ab, bb], steps: [as, bs] } = p;
      for (let r = 0, q = 0; r < outer; r++) for (let j = 0, ia = ab[r], ib = bb[r]; j < len; j++, ia += as, ib += bs) o[q++] = a[ia] - b[ib];
    }
  },
  mul: (a, b, p, o) => {
    if (!p) for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i];
    else {
      const { outer, len, bases: [ab, bb], steps: [as, bs] } = p;
      for (let r = 0, q = 0; r < outer; r++) for (let j = 0, ia = ab[r], ib = bb[r]; j < len; j++, ia += as, ib += bs) o[q++] = a[ia] * b[ib];
    }
  },
  div: (a, b, p, o) => {
    if (!p) for (let i = 0; i < o.length; i++) o[i] = a[i] / b[i];
    else {
      const { outer, len, bases: [ab, bb], steps: [as, bs] } = p;
      for (let r = 0, q = 0; r < outer; r++) for (let j = 0, ia = ab[r], ib = bb[r]; j < len; j++, ia += as, ib += bs) o[q++] = a[ia] / b[ib];
    }
  },
};

const importer = (op: BinaryNode['op']) => (ctx: OnnxContext) =>
  ctx.add({ op, name: ctx.name, inputs: [ctx.input(0), ctx.input(1)], output: ctx.out });

/** ONNX Min / Max take any number of inputs: a chain of two-input nodes */
const variadic = (op: 'min' | 'max') => (ctx: OnnxContext) => {
  const inputs = (ctx.node.input ?? []).filter((i) => i !== '');
  if (inputs.length === 1) {
    ctx.add({ op: 'identity', name: ctx.name, inputs, output: ctx.out });
    return;
  }
  let cur = inputs[0];
  for (let i = 1; i < inputs.length; i++) {
    const last = i === inputs.length - 1;
    cur = ctx.add({ op, name: last ? ctx.name : `${ctx.name}/${i}`, inputs: [cur, inputs[i]], output: last ? ctx.out : `${ctx.out}__${i}` }).name;
  }
};

export const ELEMENTWISE: OperatorDef<BinaryNode> = {
  ops: ['add', 'sub', 'mul', 'div', 'pow', 'min', 'max'],
  inferShape: (s, node) => broadcastShapes(node, s.sh(0), s.sh(1)),
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { outShape, outN, vr } = ctx;
    const a = ctx.val(0), b = ctx.val(1);
    const f = FUNCTIONS[node.op];
    const o = ctx.output();
    const as = ctx.shp(0), bs = ctx.shp(1);
    const same = sameShape(as, outShape) && sameShape(bs, outShape);
    if (vr === Math.fround && node.op in FP32_LOOPS) {
      // the WebAssembly rows where they take it (the same bits), else the loop
      const op = node.op as BinaryOp, plan = broadcastPlan(outShape, [as, bs]);
      if (!vectorRows()?.binary(op, a, b, plan, o)) FP32_LOOPS[op](a, b, same ? undefined : plan, o);
    }
    else if (same) {
      for (let i = 0; i < outN; i++) o[i] = vr(f(a[i], b[i]));
    } else {
      const ao = offsetsOf(outShape, as), bo = offsetsOf(outShape, bs);
      for (let i = 0; i < outN; i++) o[i] = vr(f(a[ao ? ao[i] : i], b[bo ? bo[i] : i]));
    }
    return o;
  },
  onnx: {
    Add: importer('add'), Sub: importer('sub'), Mul: importer('mul'), Div: importer('div'), Pow: importer('pow'),
    Min: variadic('min'), Max: variadic('max'),
  },
};
