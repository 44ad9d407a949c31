/**
 * Element-wise functions of one input (relu, gelu, sigmoid, silu, tanh, erf, sqrt, sign) and
 * clip; on the vector unit, one pass per element. sign(0) = +1 (as an XNOR array sees it;
 * ONNX Sign gives 0, see models/import/onnx.ts on binary convolutions).
 */
import { erf, signOf } from '../exec/kernel-util.ts';
import type { NodeBase } from '../graph.ts';
import type { OnnxContext, OperatorDef } from './types.ts';

export type UnaryOp = 'relu' | 'gelu' | 'sigmoid' | 'silu' | 'tanh' | 'erf' | 'sqrt' | 'sign';

export interface UnaryNode extends NodeBase {
  readonly op: UnaryOp;
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
};

const importer = (op: UnaryOp) => (ctx: OnnxContext) => ctx.add({ op, name: ctx.name, inputs: [ctx.input(0)], output: ctx.out });

export const UNARY: OperatorDef<UnaryNode> = {
  ops: ['relu', 'gelu', 'sigmoid', 'silu', 'tanh', 'erf', 'sqrt', 'sign'],
  inferShape: (s) => [...s.sh(0)],
  lower(ctx, node) {
    ctx.vector(node.op, ctx.outElements);
    return { mapping: 'vector', detail: `${node.op} on the vector unit` };
  },
  kernel: (ctx, node) => (node.op === 'sign' ? signOf(ctx.val(0)) : ctx.map1(FUNCTIONS[node.op])),
  onnx: {
    Relu: importer('relu'), Sign: importer('sign'), Sigmoid: importer('sigmoid'), Tanh: importer('tanh'),
    Erf: importer('erf'), Sqrt: importer('sqrt'),
    Gelu(ctx) {
      if (ctx.attrString('approximate', 'none') !== 'none') ctx.bad("only approximate = 'none' is supported");
      importer('gelu')(ctx);
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
