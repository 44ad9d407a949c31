/**
 * Element-wise functions of one input (relu, gelu, gelu_tanh, sigmoid, silu, tanh, erf, sqrt,
 * sign, neg, abs, exp, log, reciprocal), clip, and the hard activations of MobileNetV3
 * (hardsigmoid, hardswish); on the vector unit, one pass per element, each result rounded once
 * into the vector format (hardsigmoid: alpha * x and + beta rounded each, then clamped;
 * hardswish: x times that). sign(0) = +1 (as an XNOR array sees it; ONNX Sign gives 0, see
 * models/import/onnx.ts on binary convolutions).
 */
import { erf, erfFp32, signOf } from '../exec/kernel-util.ts';
import type { NodeBase } from '../graph.ts';
import type { OnnxContext, OperatorDef } from './types.ts';

export type UnaryOp = 'relu' | 'gelu' | 'gelu_tanh' | 'sigmoid' | 'silu' | 'tanh' | 'erf' | 'sqrt' | 'sign' | 'neg' | 'abs' | 'exp' | 'log' | 'reciprocal';

export interface UnaryNode extends NodeBase {
  readonly op: UnaryOp;
}

/** hardsigmoid(x) = clamp(alpha * x + beta, 0, 1); hardswish(x) = x * hardsigmoid(x) with alpha 1/6, beta 1/2 */
export interface HardActivationNode extends NodeBase {
  readonly op: 'hardsigmoid' | 'hardswish';
  readonly alpha: number;
  readonly beta: number;
}

export interface ClipNode extends NodeBase {
  readonly op: 'clip';
  readonly min: number;
  readonly max: number;
}

const FUNCTIONS: Readonly<Record<Exclude<UnaryOp, 'sign'>, (x: number) => number>> = {
  relu: (x) => (x > 0 ? x : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  silu: (x) => x / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  erf,
  sqrt: Math.sqrt,
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  // GELU's tanh approximation (Hendrycks & Gimpel; ONNX Gelu approximate = 'tanh')
  gelu_tanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  reciprocal: (x) => 1 / x,
};

const importer = (op: UnaryOp) => (ctx: OnnxContext) => ctx.add({ op, name: ctx.name, inputs: [ctx.input(0)], output: ctx.out });

export const UNARY: OperatorDef<UnaryNode> = {
  ops: ['relu', 'gelu', 'gelu_tanh', 'sigmoid', 'silu', 'tanh', 'erf', 'sqrt', 'sign', 'neg', 'abs', 'exp', 'log', 'reciprocal'],
  inferShape: (s) => [...s.sh(0)],
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    if (node.op === 'sign') return signOf(ctx.val(0));
    if (ctx.vr === Math.fround && node.op === 'relu') return relu(ctx.val(0), ctx.output());
    if (ctx.vr === Math.fround && node.op === 'erf') return erfFp32(ctx.val(0), ctx.output());
    return ctx.map1(FUNCTIONS[node.op]);
  },
  onnx: {
    Relu: importer('relu'), Sign: importer('sign'), Sigmoid: importer('sigmoid'), Tanh: importer('tanh'),
    Erf: importer('erf'), Sqrt: importer('sqrt'), Neg: importer('neg'), Abs: importer('abs'), Exp: importer('exp'),
    Log: importer('log'), Reciprocal: importer('reciprocal'),
    Gelu(ctx) {
      const approx = ctx.attrString('approximate', 'none');
      if (approx !== 'none' && approx !== 'tanh') ctx.bad(`approximate must be 'none' or 'tanh', got '${approx}'`);
      importer(approx === 'tanh' ? 'gelu_tanh' : 'gelu')(ctx);
    },
  },
};

export const CLIP: OperatorDef<ClipNode> = {
  ops: ['clip'],
  inferShape: (s) => [...s.sh(0)],
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { min, max } = node;
    return ctx.map1((x) => (x < min ? min : x > max ? max : x));
  },
  onnx: {
    Clip(ctx) {
      let min = ctx.attrFloat('min', -Infinity), max = ctx.attrFloat('max', Infinity);
      if (ctx.input(1) !== '') min = ctx.constData(1)[0];
      if (ctx.input(2) !== '') max = ctx.constData(2)[0];
      ctx.add({ op: 'clip', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, min, max });
    },
  },
};

export const HARD_ACTIVATION: OperatorDef<HardActivationNode> = {
  ops: ['hardsigmoid', 'hardswish'],
  inferShape: (s) => [...s.sh(0)],
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel(ctx, node) {
    const { vr } = ctx;
    const alpha = Math.fround(node.alpha), beta = Math.fround(node.beta);
    const hs = (x: number) => {
      const v = vr(vr(alpha * x) + beta);
      return v < 0 ? 0 : v > 1 ? 1 : v;
    };
    return node.op === 'hardsigmoid' ? ctx.map1(hs) : ctx.map1((x) => x * hs(x));
  },
  onnx: {
    HardSigmoid: (ctx) => ctx.add({
      op: 'hardsigmoid', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, alpha: ctx.attrFloat('alpha', 0.2), beta: ctx.attrFloat('beta', 0.5),
    }),
    HardSwish: (ctx) => ctx.add({ op: 'hardswish', name: ctx.name, inputs: [ctx.input(0)], output: ctx.out, alpha: 1 / 6, beta: 0.5 }),
  },
};

/**
 * relu on the fp32 vector unit: an fp32 value or 0 (NaN too), which fp32 rounding leaves as it
 * is: map1's result without two calls per element. Computed on the bit patterns without a
 * branch (a compare on activations' signs mispredicts half the time: 7 ns an element against
 * 2.6): a set sign bit (negatives, -0, -NaN) or a pattern above +Inf's (+NaN) gives +0.
 */
function relu(x: Float32Array, o: Float32Array): Float32Array {
  const xb = new Int32Array(x.buffer, x.byteOffset, x.length), ob = new Int32Array(o.buffer, o.byteOffset, o.length);
  for (let e = 0; e < xb.length; e++) {
    const b = xb[e];
    ob[e] = b & ~(b >> 31) & ~((0x7f800000 - b) >> 31);
  }
  return o;
}

